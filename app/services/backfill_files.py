"""Reading historical reports from files (JSON or CSV) for the backfill command.

JSON: a list of report bodies exactly as `POST /api/v1/reports` takes them, each with its true
`received_at`. A record for a state and resolution already reported becomes the next version.

CSV: one row per entry, with the columns below; consecutive rows with the same state,
resolution and `received_at` form one report version. A row with an empty `obligation` gives
a version without entries.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..domain import Figure

FIGURES = tuple(Figure)
CSV_COLUMNS = (
    "state", "resolution", "language", "reference", "dated", "received_at",
    "obligation", "status", "legal_basis", "competent_authority", "measures",
    *FIGURES,
    "evidence_title", "evidence_reference", "justification", "notes",
)
REQUIRED_CSV = ("state", "resolution", "language", "received_at", "obligation", "status")


class BackfillFileError(Exception):
    """The file cannot be read as records."""


def read_records(path: Path) -> tuple[list[Any], list[str]]:
    """Records (report bodies) and a label for each naming where it came from."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise BackfillFileError(f"{path.name}: give a .json or a .csv file")


def _read_json(path: Path) -> tuple[list[Any], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackfillFileError(f"{path.name}: not readable as JSON: {exc}") from exc
    if not isinstance(data, list):
        raise BackfillFileError(f"{path.name}: expected a JSON list of reports")
    return data, [f"record {i + 1}" for i in range(len(data))]


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _number(value: str | None) -> Any:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # left for the schema to reject, naming the field


def _read_csv(path: Path) -> tuple[list[Any], list[str]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise BackfillFileError(f"{path.name}: {exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_CSV if c not in header]
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if missing or unknown:
            raise BackfillFileError(
                f"{path.name}: columns missing: {', '.join(missing) or 'none'}; "
                f"unknown: {', '.join(unknown) or 'none'}"
            )
        records: list[dict[str, Any]] = []
        labels: list[str] = []
        current_key = None
        try:
            rows = list(reader)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BackfillFileError(f"{path.name}: {exc}") from exc
        for offset, row in enumerate(rows):
            line = offset + 2  # the header is line 1
            key = (row.get("state"), row.get("resolution"), row.get("received_at"))
            if key != current_key:
                current_key = key
                record: dict[str, Any] = {
                    "state": (_text(row.get("state")) or "").upper(),
                    "resolution": _number(row.get("resolution")),
                    "language": _text(row.get("language")),
                    "received_at": _text(row.get("received_at")),
                    "entries": [],
                }
                for name in ("reference", "dated"):
                    if _text(row.get(name)) is not None:
                        record[name] = _text(row.get(name))
                records.append(record)
                labels.append(f"line {line}")
            if _text(row.get("obligation")) is None:
                continue
            entry: dict[str, Any] = {
                "obligation": _text(row.get("obligation")),
                "status": _text(row.get("status")),
            }
            for name in ("legal_basis", "competent_authority", "measures", "justification",
                         "notes"):
                entry[name] = _text(row.get(name))
            figures = {name: _number(row.get(name)) for name in FIGURES}
            if any(v is not None for v in figures.values()):
                entry["enforcement"] = figures
            title, reference = _text(row.get("evidence_title")), _text(
                row.get("evidence_reference"))
            if title or reference:
                entry["evidence"] = [{"title": title, "reference": reference}]
            records[-1]["entries"].append(entry)
    return records, labels
