"""Loading the bundled catalogue and reading it back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from schemas.catalogue import MemberStatesFileSchema, RegimeFileSchema

from ..catalogue import DATA_DIR
from ..domain import RequirementKind
from ..errors import Invalid, NotFound, json_pointer
from ..errors import flatten_messages as _flatten
from ..models import (
    MemberState,
    Obligation,
    Regime,
    Report,
    ReportingRequirement,
    RequirementStage,
    Resolution,
)
from ..models.catalogue import add_months, due_date
from . import page_of, revisions, use_case
from .session import DbSession

if TYPE_CHECKING:
    from .catalogue_snapshot import RequirementView, ResolutionView
    from .requirements import AnyRequirement, AnyResolution


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
        # Obligations of the regime's resolutions adopted before the one being read: a later
        # resolution's requirement may name them (a renewed call for reports on them).
        by_adoption = sorted(regime["resolutions"], key=lambda r: (r["adopted_on"], r["number"]))
        earlier_of = {}
        seen: set[str] = set()
        for res in by_adoption:
            earlier_of[res["number"]] = frozenset(seen)
            seen |= {ob["code"] for ob in res["obligations"]}
        target = regime["regime"]["target_state"]
        if target is not None and target not in {s["iso3"] for s in states["states"]}:
            raise CatalogueFileError(
                f"{path}: /regime/target_state: {target} is not in member_states.json")
        for i, res in enumerate(regime["resolutions"]):
            earlier = earlier_of[res["number"]]
            if res["number"] in numbers:
                raise CatalogueFileError(
                    f"{path}: resolution {res['number']} also in {numbers[res['number']]}"
                )
            numbers[res["number"]] = path
            for j, ob in enumerate(res["obligations"]):
                if ob["code"] in codes:
                    raise CatalogueFileError(
                        f"{path}: /resolutions/{i}/obligations/{j}/code: "
                        f"obligation code {ob['code']} is repeated"
                    )
                codes[ob["code"]] = path
            problem = _requirement_problem(res, earlier)
            if problem:
                raise CatalogueFileError(f"{path}: /resolutions/{i}/{problem[0]}: {problem[1]}")
    for path, regime in zip(regime_files, regimes, strict=True):
        for i, res in enumerate(regime["resolutions"]):
            for j, ob in enumerate(res["obligations"]):
                problem = _supersession_problem(ob, res, codes)
                if problem:
                    raise CatalogueFileError(
                        f"{path}: /resolutions/{i}/obligations/{j}/{problem[0]}: {problem[1]}"
                    )
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


def _requirement_problem(res: dict[str, Any],
                         earlier: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """What is inconsistent in a resolution's reporting requirements, as (JSON Pointer
    relative to the resolution, message), or None.

    Codes (of requirements and of their stages) are unique and belong to the resolution,
    requirements name obligations of the resolution or of an earlier resolution of the same
    regime (`earlier`), due dates follow from the adoption date, and
    `reporting_deadline_verified` is true only where the general one-off request
    (`<number>/R-general`) with that deadline is verified.
    """
    adopted = res["adopted_on"]
    own = {ob["code"] for ob in res["obligations"]} | earlier
    seen: set[str] = set()
    general = None
    for j, req in enumerate(res["reporting_requirements"]):
        at = f"reporting_requirements/{j}"
        code = req["code"]
        if not code.startswith(f"{res['number']}/R") or code in seen:
            return (f"{at}/code",
                    f"reporting requirement code {code} is repeated or not of this resolution")
        seen.add(code)
        if code == f"{res['number']}/R-general":
            general = req
        if req["obligations"] != "all":
            for k, ob_code in enumerate(req["obligations"]):
                if ob_code not in own:
                    return (f"{at}/obligations/{k}",
                            f"{ob_code} is not an obligation of resolution {res['number']} "
                            "or of an earlier resolution of its regime")
            if len(set(req["obligations"])) != len(req["obligations"]):
                return f"{at}/obligations", "an obligation is named twice"
        if req["kind"] == RequirementKind.ONCE and req["due"] != due_date(
            adopted, days=req["due_days_after_adoption"]
        ):
            return f"{at}/due", "due is not adoption + due_days_after_adoption"
        for k, stage in enumerate(req["stages"] or []):
            if not stage["code"].startswith(f"{code}-") or stage["code"] in seen:
                return (f"{at}/stages/{k}/code",
                        f"stage code {stage['code']} is repeated or not of {code}")
            seen.add(stage["code"])
            if stage["due"] != add_months(adopted, stage["months_after_adoption"]):
                return (f"{at}/stages/{k}/due",
                        "due is not adoption + months_after_adoption (whole months)")
    if res["reporting_deadline_verified"] and not (
        general is not None and general["kind"] == RequirementKind.ONCE and general["verified"]
        and general["due_days_after_adoption"] == res["reporting_deadline_days"]
    ):
        return ("reporting_deadline_verified",
                "true but no verified general request (R-general) with that deadline is listed")
    return None


def _supersession_problem(ob: dict[str, Any], res: dict[str, Any],
                          codes: dict[str, Path]) -> tuple[str, str] | None:
    """What is wrong with an obligation's `superseded_by`, as (pointer relative to the
    obligation, message), or None: it names another obligation of the catalogue, on a date
    after the obligation entered into force."""
    sup = ob["superseded_by"]
    if sup is None:
        return None
    if sup["code"] not in codes or sup["code"] == ob["code"]:
        return "superseded_by/code", f"{sup['code']} is not another obligation of the catalogue"
    if sup["on"] < (ob["in_force_from"] or res["adopted_on"]):
        return "superseded_by/on", "before the obligation entered into force"
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


_REQUIREMENT_FIELDS = ("paragraph", "kind", "due_days_after_adoption", "period_days", "trigger",
                       "applies_to", "addressed_to", "binding", "verified", "source",
                       "verification_note")


def _load_requirement(
    session: DbSession, resolution: Resolution, position: int, doc: dict[str, Any],
    obligations: dict[str, Obligation], existing: dict[str, ReportingRequirement],
    existing_stages: dict[str, RequirementStage], report: LoadReport,
) -> None:
    """Insert or update one reporting requirement, its stages and the obligations it names.

    `due` dates are not stored: they follow from the adoption date (checked on reading)."""
    covers_all = doc["obligations"] == "all"
    values: dict[str, Any] = {k: doc[k] for k in _REQUIREMENT_FIELDS}
    values.update(position=position, covers_all=covers_all)
    label = f"reporting requirement {doc['code']}"
    requirement = existing.pop(doc["code"], None)
    named = [] if covers_all else [obligations[code] for code in doc["obligations"]]
    if requirement is None:
        requirement = ReportingRequirement(code=doc["code"], resolution=resolution, **values)
        requirement.named_obligations = named
        session.add(requirement)
        report.added.append(label)
    else:
        if requirement.resolution is not resolution:
            values["resolution"] = resolution
        # Named obligations are listed in the resolution's order, whatever the data's order.
        if {o.code for o in requirement.named_obligations} != {o.code for o in named}:
            values["named_obligations"] = named
        _sync(requirement, values, label, report)
    for stage_position, stage_doc in enumerate(doc["stages"] or [], start=1):
        stage_values = {"name": stage_doc["name"],
                        "months_after_adoption": stage_doc["months_after_adoption"],
                        "position": stage_position}
        stage = existing_stages.pop(stage_doc["code"], None)
        if stage is None:
            requirement.stages.append(RequirementStage(code=stage_doc["code"], **stage_values))
            report.added.append(f"stage {stage_doc['code']}")
        else:
            if stage.requirement is not requirement:
                stage_values["requirement"] = requirement
            _sync(stage, stage_values, f"stage {stage_doc['code']}", report)


@use_case
def load_catalogue(session: DbSession, data_dir: Path = DATA_DIR) -> LoadReport:
    """Insert or update every regime, resolution, obligation, reporting requirement (with its
    stages and the obligations it covers) and Member State in the data.

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
    existing_req = {
        r.code: r for r in session.scalars(
            select(ReportingRequirement).options(selectinload(ReportingRequirement.stages),
                                                 selectinload(ReportingRequirement.named_obligations))
        )
    }
    existing_stages = {s.code: s for s in session.scalars(select(RequirementStage))}
    # Every obligation of the data by code, so that supersessions and requirements can name
    # obligations of any resolution once all of them exist.
    obligations: dict[str, Obligation] = {}
    requirements: list[tuple[Resolution, int, dict[str, Any]]] = []
    pending: list[tuple[Obligation, dict[str, Any], bool]] = []
    for doc in regimes_doc:
        info = doc["regime"]
        values = {**{k: info[k] for k in ("name", "committee", "short_name", "experts",
                                          "summary_title", "finding_title", "target_state",
                                          "description",
                                          "notes")},
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
                ob_values["in_force_from"] = ob_doc["in_force_from"] or res_doc["adopted_on"]
                obligation = existing_obl.pop(ob_doc["code"], None)
                new = obligation is None
                if obligation is None:
                    obligation = Obligation(code=ob_doc["code"], resolution=resolution)
                    session.add(obligation)
                elif obligation.resolution is not resolution:
                    ob_values["resolution"] = resolution
                obligations[ob_doc["code"]] = obligation
                pending.append((obligation, ob_values, new))
            requirements += [(resolution, position, req) for position, req
                             in enumerate(res_doc["reporting_requirements"], start=1)]

    for obligation, ob_values, new in pending:
        sup = ob_values.pop("superseded_by")
        ob_values.update(
            superseded_by=obligations[sup["code"]] if sup else None,
            superseded_on=sup["on"] if sup else None,
            supersession_verified=sup["verified"] if sup else None,
            supersession_source=sup["source"] if sup else None,
            supersession_note=sup["note"] if sup else None,
        )
        if new:
            for name, value in ob_values.items():
                setattr(obligation, name, value)
            report.added.append(f"obligation {obligation.code}")
        else:
            _sync(obligation, ob_values, f"obligation {obligation.code}", report)

    for resolution, position, req_doc in requirements:
        _load_requirement(session, resolution, position, req_doc, obligations,
                          existing_req, existing_stages, report)

    session.flush()
    attached = attach_reports(session)
    if attached:
        report.changed.append(f"{attached} report(s) attached to their resolution's `once` "
                              "requirement")

    report.kept += [f"regime {code}" for code in sorted(existing_regimes)]
    report.kept += [f"resolution {n}" for n in sorted(existing_res)]
    report.kept += [f"obligation {code}" for code in sorted(existing_obl)]
    report.kept += [f"reporting requirement {code}" for code in sorted(existing_req)]
    report.kept += [f"stage {code}" for code in sorted(existing_stages)]
    if report.added or report.changed:
        # Every document built from the catalogue is built anew from now on.
        revisions.touch(session, revisions.CATALOGUE)
    return report


@overload
def default_requirement(resolution: Resolution) -> ReportingRequirement | None: ...
@overload
def default_requirement(resolution: ResolutionView) -> RequirementView | None: ...
def default_requirement(resolution: AnyResolution) -> AnyRequirement | None:
    """What a report on `resolution` answers when it names no requirement: the resolution's
    `once` requirement asked of States (the one covering every obligation where there are
    several). A committee's own report is never one."""
    once = [q for q in resolution.reporting_requirements
            if q.kind == RequirementKind.ONCE and q.of_states]
    once.sort(key=lambda q: (not q.covers_all, q.position))
    return once[0] if once else None


def attach_reports(session: DbSession) -> int:
    """Attach reports stored before their resolution's requirements were loaded to the
    resolution's `once` requirement; return how many were attached."""
    loose = session.scalars(select(Report).where(Report.requirement_id.is_(None))).all()
    attached = 0
    for report in loose:
        requirement = default_requirement(report.resolution)
        if requirement is not None:
            report.requirement = requirement
            report.answers = requirement.code
            attached += 1
    return attached


# --- reads -------------------------------------------------------------------------------

def _page(session: DbSession, stmt, page: int, page_size: int) -> tuple[list[Any], int]:
    rows, total = page_of(session, stmt, page, page_size)
    return [row[0] for row in rows], total


def list_regimes(session: DbSession, page: int, page_size: int):
    stmt = select(Regime).options(selectinload(Regime.resolutions)).order_by(Regime.code)
    return _page(session, stmt, page, page_size)


def find_regime(session: DbSession, code: str) -> Regime | None:
    return session.scalar(select(Regime).where(Regime.code == code)
                          .options(selectinload(Regime.resolutions)))


def get_regime(session: DbSession, code: str) -> Regime:
    regime = find_regime(session, code)
    if regime is None:
        raise NotFound(f"No regime {code!r} in the catalogue.")
    return regime


def check_regime(session: DbSession, code: str | None, pointer: str = "regime") -> Regime | None:
    """The regime a query argument names (None where none is named); a 422 naming the
    argument where the catalogue has no such regime."""
    if code is None:
        return None
    regime = find_regime(session, code)
    if regime is None:
        known = ", ".join(session.scalars(select(Regime.code).order_by(Regime.code)))
        detail = f"No regime {code!r} in the catalogue (regimes: {known or 'none'})."
        raise Invalid(detail, errors=[{"pointer": pointer, "detail": detail}])
    return regime


def list_resolutions(
    session: DbSession, page: int, page_size: int, regime: str | None = None
):
    stmt = (
        select(Resolution)
        .options(selectinload(Resolution.regime), selectinload(Resolution.obligations))
        .order_by(Resolution.number)
    )
    if regime is not None:
        check_regime(session, regime)
        stmt = stmt.join(Resolution.regime).where(Regime.code == regime)
    return _page(session, stmt, page, page_size)


def find_resolution(session: DbSession, number: int, *, obligations: bool = True,
                    requirements: bool | None = None) -> Resolution | None:
    """Resolution `number` with its regime (in the same statement) and, unless told not to,
    its obligations and reporting requirements (a few more statements); None when the
    catalogue has no such resolution. `requirements` (default: as `obligations`) loads the
    requirements and their stages without the obligations."""
    options: list[Any] = [joinedload(Resolution.regime)]
    if obligations:
        options += [
            selectinload(Resolution.obligations).joinedload(Obligation.superseded_by),
            selectinload(Resolution.reporting_requirements).options(
                selectinload(ReportingRequirement.stages),
                selectinload(ReportingRequirement.named_obligations),
            ),
        ]
    elif requirements:
        options.append(selectinload(Resolution.reporting_requirements)
                       .selectinload(ReportingRequirement.stages))
    return session.scalar(select(Resolution).where(Resolution.number == number)
                          .options(*options))


def get_resolution(session: DbSession, number: int, *, obligations: bool = True,
                   requirements: bool | None = None) -> Resolution:
    """As `find_resolution`, or 404."""
    resolution = find_resolution(session, number, obligations=obligations,
                                 requirements=requirements)
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
