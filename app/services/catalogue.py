"""Loading the bundled catalogue and reading it back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from schemas.catalogue import MemberStatesFileSchema, RegimeFileSchema

from ..catalogue import DATA_DIR
from ..errors import NotFound, json_pointer
from ..errors import flatten_messages as _flatten
from ..models import MemberState, Obligation, Regime, Resolution
from . import page_of, use_case
from .session import DbSession


class CatalogueFileError(Exception):
    """A bundled data file is not valid; nothing was written."""


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # in the database, absent from the data

    def lines(self) -> list[str]:
        out = [f"added: {len(self.added)}", f"changed: {len(self.changed)}",
               f"unchanged: {self.unchanged}"]
        out += [f"  + {item}" for item in self.added]
        out += [f"  ~ {item}" for item in self.changed]
        if self.kept:
            out.append(
                f"kept (in the database, not in the data; never deleted): {len(self.kept)}"
            )
            out += [f"  = {item}" for item in self.kept]
        return out


def _read_json(path: Path, schema_cls: type) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueFileError(f"{path}: cannot read JSON: {exc}") from exc
    try:
        return schema_cls().load(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{json_pointer(p) or '/'}: {m}" for p, m in _flatten(exc.messages)
        )
        raise CatalogueFileError(f"{path}: {problems}") from exc


def read_catalogue(data_dir: Path = DATA_DIR) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read and validate the member-state file and every regime file, writing nothing."""
    states = _read_json(data_dir / "member_states.json", MemberStatesFileSchema)
    regime_files = sorted((data_dir / "regimes").glob("*.json"))
    regimes = [_read_json(p, RegimeFileSchema) for p in regime_files]
    codes: dict[str, Path] = {}
    numbers: dict[int, Path] = {}
    for path, regime in zip(regime_files, regimes, strict=True):
        for res in regime["resolutions"]:
            if res["number"] in numbers:
                raise CatalogueFileError(
                    f"{path}: resolution {res['number']} also in {numbers[res['number']]}"
                )
            numbers[res["number"]] = path
            for ob in res["obligations"]:
                if ob["code"] in codes:
                    raise CatalogueFileError(f"{path}: obligation code {ob['code']} is repeated")
                codes[ob["code"]] = path
            problem = _requirement_problem(res)
            if problem:
                raise CatalogueFileError(f"{path}: resolution {res['number']}: {problem}")
    iso3s = [s["iso3"] for s in states["states"]]
    if len(set(iso3s)) != len(iso3s):
        raise CatalogueFileError("member_states.json: an ISO code is repeated")
    return states, regimes


def _shown(value: Any) -> str | None:
    """A short value as the change report prints it; None for values too long to print."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | dt.date) or (isinstance(value, str) and len(value) <= 40):
        return json.dumps(value if not isinstance(value, dt.date) else value.isoformat())
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]
    return dt.date(year, month + 1, min(day.day, last))


def _requirement_problem(res: dict[str, Any]) -> str | None:
    """What is inconsistent in a resolution's reporting requirements, or None.

    Requirements are checked but not stored yet: codes are unique and belong to the
    resolution, they name obligations of the resolution, due dates follow from the adoption
    date, and `reporting_deadline_verified` is true only where the general one-off request
    (`<number>/R-general`) with that deadline is verified.
    """
    adopted = res["adopted_on"]
    own = {ob["code"] for ob in res["obligations"]}
    seen: set[str] = set()
    general = None
    for req in res["reporting_requirements"]:
        code = req["code"]
        if not code.startswith(f"{res['number']}/R") or code in seen:
            return f"reporting requirement code {code} is repeated or not of this resolution"
        seen.add(code)
        if code == f"{res['number']}/R-general":
            general = req
        if req["obligations"] != "all" and not set(req["obligations"]) <= own:
            unknown = sorted(set(req["obligations"]) - own)
            return f"reporting requirement {code} names unknown obligations {unknown}"
        if req["kind"] == "once" and req["due"] != adopted + dt.timedelta(
            days=req["due_days_after_adoption"]
        ):
            return f"reporting requirement {code}: due is not adoption + due_days_after_adoption"
        for stage in req["stages"] or []:
            if stage["due"] != _add_months(adopted, stage["months_after_adoption"]):
                return f"reporting requirement {code}: stage {stage['code']} due date is wrong"
    if res["reporting_deadline_verified"] and not (
        general is not None and general["kind"] == "once" and general["verified"]
        and general["due_days_after_adoption"] == res["reporting_deadline_days"]
    ):
        return ("reporting_deadline_verified is true but no verified general request "
                "(R-general) with that deadline is listed")
    return None


def _sync(obj: Any, values: dict[str, Any], label: str, report: LoadReport) -> None:
    """Copy `values` onto a persistent object, recording which fields changed.

    Flags, numbers, dates and short strings are reported as `name: old -> new`; longer texts
    (summaries, sources, notes) by name only.
    """
    changes = []
    for name, value in values.items():
        before = getattr(obj, name)
        if before == value:
            continue
        old, new = _shown(before), _shown(value)
        changes.append(f"{name}: {old} -> {new}" if old and new else name)
        setattr(obj, name, value)
    if changes:
        report.changed.append(f"{label} ({', '.join(changes)})")
    else:
        report.unchanged += 1


@use_case
def load_catalogue(session: DbSession, data_dir: Path = DATA_DIR) -> LoadReport:
    """Insert or update every regime, resolution, obligation and Member State in the data.

    Rows present in the database but absent from the data are kept and reported. The whole
    load is one transaction: a bad file leaves the database untouched.
    """
    states_doc, regimes_doc = read_catalogue(data_dir)
    report = LoadReport()

    existing_states = {s.iso3: s for s in session.scalars(select(MemberState))}
    for item in states_doc["states"]:
        values = {k: item[k] for k in ("name", "un_group", "note")}
        state = existing_states.pop(item["iso3"], None)
        if state is None:
            session.add(MemberState(iso3=item["iso3"], **values))
            report.added.append(f"state {item['iso3']}")
        else:
            _sync(state, values, f"state {item['iso3']}", report)
    report.kept += [f"state {iso3}" for iso3 in sorted(existing_states)]

    existing_regimes = {r.code: r for r in session.scalars(select(Regime))}
    existing_res = {
        r.number: r
        for r in session.scalars(select(Resolution).options(selectinload(Resolution.obligations)))
    }
    existing_obl = {o.code: o for o in session.scalars(select(Obligation))}
    for doc in regimes_doc:
        info = doc["regime"]
        values = {**{k: info[k] for k in ("name", "committee", "target_state", "description")},
                  "sources": doc["sources"]}
        regime = existing_regimes.pop(info["code"], None)
        if regime is None:
            regime = Regime(code=info["code"], **values)
            session.add(regime)
            report.added.append(f"regime {info['code']}")
        else:
            _sync(regime, values, f"regime {info['code']}", report)
        for res_doc in doc["resolutions"]:
            res_values = {k: v for k, v in res_doc.items()
                          if k not in ("number", "obligations", "reporting_requirements")}
            resolution = existing_res.pop(res_doc["number"], None)
            if resolution is None:
                resolution = Resolution(number=res_doc["number"], regime=regime, **res_values)
                session.add(resolution)
                report.added.append(f"resolution {res_doc['number']}")
            else:
                if resolution.regime is not regime:
                    res_values["regime"] = regime
                _sync(resolution, res_values, f"resolution {res_doc['number']}", report)
            for position, ob_doc in enumerate(res_doc["obligations"], start=1):
                ob_values = {k: v for k, v in ob_doc.items() if k != "code"}
                ob_values["position"] = position
                obligation = existing_obl.pop(ob_doc["code"], None)
                if obligation is None:
                    session.add(Obligation(code=ob_doc["code"], resolution=resolution,
                                           **ob_values))
                    report.added.append(f"obligation {ob_doc['code']}")
                else:
                    if obligation.resolution is not resolution:
                        ob_values["resolution"] = resolution
                    _sync(obligation, ob_values, f"obligation {ob_doc['code']}", report)
    report.kept += [f"regime {code}" for code in sorted(existing_regimes)]
    report.kept += [f"resolution {n}" for n in sorted(existing_res)]
    report.kept += [f"obligation {code}" for code in sorted(existing_obl)]
    return report


# --- reads -------------------------------------------------------------------------------

def _page(session: DbSession, stmt, page: int, page_size: int) -> tuple[list[Any], int]:
    rows, total = page_of(session, stmt, page, page_size)
    return [row[0] for row in rows], total


def list_regimes(session: DbSession, page: int, page_size: int):
    stmt = select(Regime).options(selectinload(Regime.resolutions)).order_by(Regime.code)
    return _page(session, stmt, page, page_size)


def list_resolutions(
    session: DbSession, page: int, page_size: int, regime: str | None = None
):
    stmt = (
        select(Resolution)
        .options(selectinload(Resolution.regime), selectinload(Resolution.obligations))
        .order_by(Resolution.number)
    )
    if regime is not None:
        stmt = stmt.join(Resolution.regime).where(Regime.code == regime)
    return _page(session, stmt, page, page_size)


def find_resolution(session: DbSession, number: int, *,
                    obligations: bool = True) -> Resolution | None:
    """Resolution `number` with its regime (in the same statement) and, unless told not to,
    its obligations (one more statement); None when the catalogue has no such resolution."""
    options = [joinedload(Resolution.regime)]
    if obligations:
        options.append(selectinload(Resolution.obligations))
    return session.scalar(select(Resolution).where(Resolution.number == number)
                          .options(*options))


def get_resolution(session: DbSession, number: int, *, obligations: bool = True) -> Resolution:
    """As `find_resolution`, or 404."""
    resolution = find_resolution(session, number, obligations=obligations)
    if resolution is None:
        raise NotFound(f"No resolution {number} in the catalogue.")
    return resolution


def list_states(session: DbSession, page: int, page_size: int, un_group: str | None = None):
    stmt = select(MemberState).order_by(MemberState.iso3)
    if un_group is not None:
        stmt = stmt.where(MemberState.un_group == un_group)
    return _page(session, stmt, page, page_size)


def get_state(session: DbSession, iso3: str) -> MemberState:
    state = session.scalar(select(MemberState).where(MemberState.iso3 == iso3.upper()))
    if state is None:
        raise NotFound(f"No Member State with ISO 3166-1 alpha-3 code {iso3!r}.")
    return state
