"""Reading incidents from files (JSON or CSV) for `flask --app wsgi incidents import`.

JSON: a list of incident bodies exactly as `POST /api/v1/incidents` takes them, or an object
`{"incidents": [...]}` holding that list. Record N is the list's item N (index N - 1).

CSV: one row per incident, UTF-8 (a byte-order mark is allowed), a header naming the columns
below. Columns that hold lists separate their items with `;` (blank items are skipped) and
the fields of an item with `|`, so no field of a list item may contain `;` or `|` (use the
JSON form for such text):

- `kind`, `occurred_on`, `occurred_until`, `summary`, `language`, `visibility`: as in the
  body; an empty `occurred_until` or `visibility` is left out (`visibility` is then
  `restricted`);
- `location_state`, `place`, `lat`, `lon`: the body's `location` (empty: null);
- `parties`: `STATE:role; ...` (`EGY:inspecting_state; KHM:flag_state`);
- `vessels`: `IMO [NAME] [(FLAG)]; ...` (`9074729 DEMO STAR (KHM)`): the IMO number first,
  then the name, then the flag in brackets at the end, the last two optional;
- `cargo`: `hs_code|quantity|unit|description[|value_usd]; ...` (`9306|30000|pieces|
  Rocket-propelled grenades`), empty fields null but the description;
- `obligations`: `CODE; ...` (`1874/9; 2270/18`);
- `sources`: `kind|reference[|title]; ...`.

Row N is the N-th row under the header (line N + 1 of the file). An item that does not have
the form of its column is an error naming the row and the item's JSON pointer; the values
themselves are checked as the API checks a body, each error with its pointer.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

CSV_COLUMNS = (
    "kind", "occurred_on", "occurred_until", "location_state", "place", "lat", "lon",
    "summary", "language", "parties", "vessels", "cargo", "obligations", "sources",
    "visibility",
)
REQUIRED_CSV = ("kind", "occurred_on", "summary", "language", "parties", "obligations",
                "sources")
# `IMO [NAME] [(FLAG)]`: the flag is the bracketed text at the very end.
VESSEL_RE = re.compile(r"(?P<imo>\S+)(?:\s+(?P<name>.*?))?(?:\s*\((?P<flag>[^()]*)\))?")


class IncidentFileError(Exception):
    """The file cannot be read as incidents (nothing of it is stored)."""


def read_incidents(path: Path) -> tuple[list[Any], list[str]]:
    """Records (incident bodies) and a label for each naming where it came from."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise IncidentFileError(f"{path.name}: give a .json or a .csv file")


def _read_json(path: Path) -> tuple[list[Any], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IncidentFileError(f"{path.name}: not readable as JSON: {exc}") from exc
    if isinstance(data, dict) and set(data) == {"incidents"}:
        data = data["incidents"]
    if not isinstance(data, list):
        raise IncidentFileError(f"{path.name}: expected a JSON list of incidents, or an "
                                'object {"incidents": [...]}')
    return data, [f"record {i + 1} (index {i})" for i in range(len(data))]


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _number(value: str | None) -> Any:
    """A number, or the text itself for the schema to reject (naming the field)."""
    text = _text(value)
    if text is None:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def _fields(item: str) -> list[str | None]:
    return [_text(part) for part in item.split("|")]


def _parties(value: str | None, errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    parties = []
    for index, item in enumerate(_items(value)):
        state, colon, role = item.partition(":")
        if not colon:
            errors.append({"pointer": f"/parties/{index}",
                           "detail": f"{item!r}: a party is STATE:role (EGY:inspecting_state)."})
            continue
        parties.append({"state": state.strip().upper(), "role": role.strip()})
    return parties


def _vessels(value: str | None) -> list[dict[str, Any]]:
    vessels = []
    for item in _items(value):
        match = VESSEL_RE.fullmatch(item)
        assert match is not None  # any non-blank text matches: an IMO number at least
        vessels.append({"imo": match["imo"], "name": _text(match["name"]),
                        "flag": (_text(match["flag"]) or "").upper() or None})
    return vessels


def _cargo(value: str | None, errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    cargo = []
    for index, item in enumerate(_items(value)):
        parts = _fields(item)
        if len(parts) not in (4, 5):
            errors.append({"pointer": f"/cargo/{index}", "detail": f"{item!r}: a cargo line "
                           "is hs_code|quantity|unit|description, or with |value_usd at the "
                           "end."})
            continue
        hs_code, quantity, unit, description = parts[:4]
        cargo.append({"description": description, "hs_code": hs_code,
                      "quantity": _number(quantity), "unit": unit,
                      "value_usd": _number(parts[4]) if len(parts) == 5 else None})
    return cargo


def _sources(value: str | None, errors: list[dict[str, str]]) -> list[dict[str, Any]]:
    sources = []
    for index, item in enumerate(_items(value)):
        parts = _fields(item)
        if len(parts) not in (2, 3):
            errors.append({"pointer": f"/sources/{index}", "detail": f"{item!r}: a source is "
                           "kind|reference, or kind|reference|title."})
            continue
        sources.append({"kind": parts[0], "reference": parts[1],
                        "title": parts[2] if len(parts) == 3 else None})
    return sources


def _record(row: dict[str, str | None]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    record: dict[str, Any] = {
        "kind": _text(row.get("kind")),
        "occurred_on": _text(row.get("occurred_on")),
        "occurred_until": _text(row.get("occurred_until")),
        "location": {"state": (_text(row.get("location_state")) or "").upper() or None,
                     "place": _text(row.get("place")), "lat": _number(row.get("lat")),
                     "lon": _number(row.get("lon"))},
        "summary": _text(row.get("summary")),
        "language": _text(row.get("language")),
        "parties": _parties(row.get("parties"), errors),
        "vessels": _vessels(row.get("vessels")),
        "cargo": _cargo(row.get("cargo"), errors),
        "obligations": _items(row.get("obligations")),
        "sources": _sources(row.get("sources"), errors),
    }
    if _text(row.get("visibility")) is not None:
        record["visibility"] = _text(row.get("visibility"))
    return record, errors


def _read_csv(path: Path) -> tuple[list[Any], list[str]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise IncidentFileError(f"{path.name}: {exc}") from exc
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = list(reader)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise IncidentFileError(f"{path.name}: not readable as CSV: {exc}") from exc
    missing = [c for c in REQUIRED_CSV if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        raise IncidentFileError(
            f"{path.name}: columns missing: {', '.join(missing) or 'none'}; "
            f"unknown: {', '.join(unknown) or 'none'} (the columns are "
            f"{', '.join(CSV_COLUMNS)})"
        )
    records: list[Any] = []
    labels: list[str] = []
    for offset, row in enumerate(rows):
        label = f"row {offset + 1} (line {offset + 2})"  # the header is line 1
        if None in row:  # more cells than the header names
            raise IncidentFileError(f"{path.name}: {label}: more cells than columns")
        record, errors = _record(row)
        if errors:
            reasons = "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors)
            raise IncidentFileError(f"{path.name}: {label}: {reasons}")
        records.append(record)
        labels.append(label)
    return records, labels
