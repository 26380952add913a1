"""Synthetic demo reports, so that a newcomer sees a realistic matrix at once, for every regime
in the catalogue.

Every report made here is marked `is_demo` in the database, and every output built from it
says so. Nothing here knows a regime: what the demo data of a regime looks like is data, one
file per regime in `app/catalogue/data/demo/` (format described in
app/catalogue/data/README.md): the share of States reporting on each resolution and the share
of them on time, the wording of the entries in each language, the reference of a report, the
answers to requirements other than the general ones (stages, periods, nil reports), and the
scenarios of the demo enforcement record. A regime without a demo file gets generic demo data:
general reports from 30% of the States (35% of them on time) in generic wording ("National
implementation act, section {n} [demo]"), and nothing else. States, dates and contents are
random (seeded, each regime from a generator of its own, so the same data each time, whatever
other regimes the catalogue holds).

Answers to other requirements (`demo_answers`), as a demo file plans them:
- `staged`: for each stage, `filed` States by `counted_by` (`nil` of them with a nil report),
  a share `on_time` of them by the stage's due date, `later` more after `counted_by`; later
  stages mostly from the States that answered the one before, plus `new_at_later_stages`;
- `periodic`: `notifiers` States each notifying every period ended by `until` but a share
  `gaps` of them (at least one), received some days after the period's end, a share `late`
  after its due date; and `standing_nil` States with a standing nil report;
- `on_event`: `filed` States, each reporting once on an event between two dates.
A State writes every report in its own language, and the target of a regime never reports.

The demo enforcement record (`demo_incidents`) holds, for a regime whose demo file has
scenarios, one synthetic incident per scenario, each giving a signal the record shows: an
`unreported` event its port State never reported (`unreported_by`), a `late` one its
inspecting State filed months after the event (`days after the event`), an `acknowledged` one
the Panel recorded that one party State acknowledged and another did not, a `restricted` one,
and an `undeclared` seizure by a State whose demo report declares `seizures: 0` for the
obligation it engages, within the report's window (`inconsistent_with_record`). Their vessels
are named `DEMO ...` and their summaries say they are synthetic.

The demo Panel findings (`demo_findings`) show the right of reply at each stage: a published
`contradicted` finding on the demo report's entry that declares `seizures: 0`, with the
undeclared demo seizure as evidence and a synthetic reply of that State in its language; a
shared `unverifiable` finding on another State's implementation of the obligation the
unreported demo incident engages, its reply window still open; and a draft `corroborated`
finding on the late-filed one. Their texts start "Synthetic demo finding:"; they are marked
`is_demo` and reporters never see them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import and_, delete, select
from sqlalchemy.orm import selectinload

from schemas.demo import DemoFileSchema

from .. import findings as finding_rules
from .. import incidents as incident_rules
from .. import requirements as rules
from ..auth import COMMAND_LINE, Principal
from ..catalogue import DATA_DIR
from ..domain import Assessment, EntryStatus, FindingStatus, Role, SubjectKind, Visibility
from ..errors import flatten_messages, json_pointer
from ..models import (
    AuditEvent,
    Entry,
    Finding,
    FindingReply,
    FindingReplyVersion,
    FindingVersion,
    IdempotencyKey,
    Incident,
    IncidentAcknowledgement,
    IncidentEnforcement,
    IncidentInvolvement,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    IncidentVessel,
    MemberState,
    Obligation,
    Regime,
    Report,
    ReportingRequirement,
    ReportVersion,
    Resolution,
)
from ..models.types import utcnow
from . import audit, revisions, use_case
from . import incidents as incident_service
from .catalogue import default_requirement
from .reports import backfill
from .session import DbSession, rowcount

DEMO_PRINCIPAL = Principal(
    authority_id=None, token_id=None, name="demo data", role=Role.ADMIN, state_id=None,
    state_iso3=None,
)
#: The seed of `demo load` when none is given.
DEFAULT_SEED = 2006
#: Where the demo data of each regime is: `<data dir>/demo/*.json`.
DEMO_DIR = "demo"

# The one of the six UN languages each State would write its report in; English otherwise.
STATE_LANGUAGES = {
    **dict.fromkeys(("ARE", "BHR", "DZA", "EGY", "IRQ", "JOR", "KWT", "LBN", "LBY", "MAR",
                     "MRT", "OMN", "QAT", "SAU", "SDN", "SOM", "SYR", "TUN", "YEM"), "ar"),
    **dict.fromkeys(("ARG", "BOL", "CHL", "COL", "CRI", "CUB", "DOM", "ECU", "ESP", "GNQ",
                     "GTM", "HND", "MEX", "NIC", "PAN", "PER", "PRY", "SLV", "URY", "VEN"), "es"),
    **dict.fromkeys(("BDI", "BEL", "BEN", "BFA", "CAF", "CHE", "CIV", "CMR", "COD", "COG",
                     "COM", "DJI", "FRA", "GAB", "GIN", "HTI", "LUX", "MCO", "MDG", "MLI",
                     "NER", "RWA", "SEN", "TCD", "TGO"), "fr"),
    **dict.fromkeys(("BLR", "KAZ", "KGZ", "RUS", "TJK", "TKM", "UZB"), "ru"),
    "CHN": "zh",
}


def state_language(iso3: str) -> str:
    return STATE_LANGUAGES.get(iso3, "en")


# --- the demo data of a regime ----------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """Share of the reporting States with a general report on a resolution, and share of
    those on time."""

    share: float
    on_time: float


@dataclass(frozen=True)
class Texts:
    """The wording of a demo entry in one language: `legal_basis` names a section `{n}`."""

    legal_basis: str
    competent_authority: str
    measures: str


#: The wording of a regime without a demo file of its own.
GENERIC_TEXTS = {
    "en": Texts("National implementation act, section {n} [demo]",
                "Competent national authority [demo]",
                "Licensing, controls and inspections [demo]"),
    "fr": Texts("Loi nationale de mise en œuvre, article {n} [démo]",
                "Autorité nationale compétente [démo]",
                "Autorisations, contrôles et inspections [démo]"),
    "es": Texts("Ley nacional de aplicación, artículo {n} [demo]",
                "Autoridad nacional competente [demo]",
                "Licencias, controles e inspecciones [demo]"),
    "ru": Texts("Национальный закон об осуществлении, статья {n} [демо]",
                "Компетентный национальный орган [демо]",
                "Лицензирование, контроль и проверки [демо]"),
    "ar": Texts("قانون التنفيذ الوطني، المادة {n} [تجريبي]",
                "السلطة الوطنية المختصة [تجريبي]",
                "الترخيص والرقابة والتفتيش [تجريبي]"),
    "zh": Texts("国家执行法第{n}条 [演示]", "国家主管机关 [演示]", "许可、管制和检查 [演示]"),
}
GENERIC_SHARE = Share(0.30, 0.35)
#: The reference of a generic demo report: `{regime}` code, `{year}` received, a number `{n}`.
GENERIC_REFERENCE = "DEMO/{regime}/{year}/{n} (demo)"


@dataclass(frozen=True)
class RegimeDemo:
    """What the demo data of one regime looks like (its demo file, or the generic one)."""

    regime: str
    texts: dict[str, Texts] = field(default_factory=lambda: dict(GENERIC_TEXTS))
    reference: str = GENERIC_REFERENCE
    default_share: Share = GENERIC_SHARE
    shares: dict[int, Share] = field(default_factory=dict)
    answers: tuple[dict[str, Any], ...] = ()
    incidents: dict[str, Any] | None = None
    path: Path | None = None  # the demo file; None for the generic demo data

    def share(self, resolution: int) -> Share:
        return self.shares.get(resolution, self.default_share)

    def reference_for(self, year: int, n: int) -> str:
        return self.reference.format(regime=self.regime, year=year, n=n)


class DemoFileError(Exception):
    """A demo data file is not valid; nothing was written."""


def read_demo_files(data_dir: Path = DATA_DIR) -> dict[str, RegimeDemo]:
    """The demo data of every regime that has a demo file, by regime code."""
    found: dict[str, RegimeDemo] = {}
    for path in sorted((data_dir / DEMO_DIR).glob("*.json")):
        try:
            doc = DemoFileSchema().load(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DemoFileError(f"{path}: cannot read JSON: {exc}") from exc
        except ValidationError as exc:
            problems = "; ".join(f"{json_pointer(p) or '/'}: {m}"
                                 for p, m in flatten_messages(exc.messages))
            raise DemoFileError(f"{path}: {problems}") from exc
        if doc["regime"] in found:
            raise DemoFileError(f"{path}: regime {doc['regime']} has another demo file")
        general = doc["general_reports"] or {}
        default = general.get("default")
        found[doc["regime"]] = RegimeDemo(
            regime=doc["regime"],
            texts=({lang: Texts(**t) for lang, t in doc["texts"].items()}
                   if doc["texts"] else dict(GENERIC_TEXTS)),
            reference=doc["reference"] or GENERIC_REFERENCE,
            default_share=Share(**default) if default else GENERIC_SHARE,
            shares={int(n): Share(**s) for n, s in general.get("resolutions", {}).items()},
            answers=tuple(doc["answers"]), incidents=doc["incidents"], path=path)
    return found


def regime_demos(regimes: list[Regime], data_dir: Path = DATA_DIR) -> dict[str, RegimeDemo]:
    """The demo data of each of `regimes`: its demo file's, or the generic one."""
    files = read_demo_files(data_dir)
    return {r.code: files.get(r.code) or RegimeDemo(regime=r.code) for r in regimes}


# --- reports ----------------------------------------------------------------------------

PROFILES = ("thorough", "solid", "solid", "thin", "honest", "unsubstantiated")


def _entry(rng: random.Random, obligation, texts: Texts, profile: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"obligation": obligation.code, "status": EntryStatus.IMPLEMENTED}
    keep = {"thorough": 1.0, "solid": 0.75, "thin": 0.3, "honest": 0.8,
            "unsubstantiated": 0.5}[profile]
    if rng.random() < keep:
        entry["legal_basis"] = texts.legal_basis.format(n=rng.randint(10, 999))
    if profile != "unsubstantiated" and rng.random() < keep:
        entry["competent_authority"] = texts.competent_authority
    if rng.random() < keep:
        entry["measures"] = texts.measures
    elif profile == "thin":
        entry["measures"] = rng.choice(["N/A", "TBD", "see above"])
    if "enforcement" in obligation.expects and rng.random() < keep:
        entry["enforcement"] = {"inspections": rng.randint(0, 40), "seizures": rng.randint(0, 3),
                                "designations": rng.randint(0, 2), "violations_reported": 0}
    if profile == "honest" and rng.random() < 0.3:
        entry["status"] = EntryStatus.NOT_IMPLEMENTED
        entry["notes"] = "Legislation in preparation [demo]"
    elif profile == "thin" and rng.random() < 0.3:
        entry["status"] = "partially_implemented"
    if rng.random() < 0.05:
        entry = {"obligation": obligation.code, "status": EntryStatus.NOT_APPLICABLE,
                 "justification": "No relevant trade, fleet or workers [demo]"}
    return entry


def _body(rng: random.Random, demo: RegimeDemo, state: MemberState, resolution: Resolution,
          received_at: dt.datetime, profile: str) -> dict[str, Any]:
    language = state_language(state.iso3)
    coverage = {"thorough": 1.0, "solid": 0.85, "thin": 0.4, "honest": 0.9,
                "unsubstantiated": 0.7}[profile]
    obligations = [o for o in resolution.obligations if rng.random() < coverage]
    if not obligations:  # a report addresses at least one obligation
        obligations = [rng.choice(resolution.obligations)]
    return {
        "state": state.iso3,
        "resolution": resolution.number,
        "language": language,
        "reference": demo.reference_for(received_at.year, rng.randint(1, 250)),
        # Written a few days before it was received, and never before the resolution.
        "dated": max(resolution.adopted_on,
                     (received_at - dt.timedelta(days=rng.randint(2, 20))).date()).isoformat(),
        "received_at": received_at.isoformat(),
        "entries": [_entry(rng, o, demo.texts[language], profile) for o in obligations],
    }


# --- answers to the other requirements --------------------------------------------------

def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A time in office hours (UTC) on `day`."""
    return dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)), dt.UTC)


def _answer(rng: random.Random, demo: RegimeDemo, state: MemberState, resolution: Resolution,
            code: str, received_at: dt.datetime, *,
            entries: list[dict[str, Any]], nil: str | None = None,
            period: rules.Period | None = None, event_on: dt.date | None = None,
            dated_days: int = 20) -> dict[str, Any]:
    """A report answering requirement (or stage) `code`: with entries, or a nil report
    justified by `nil`; for a periodic requirement, about `period`; for one reported on an
    event, about the event of `event_on`."""
    body: dict[str, Any] = {
        "state": state.iso3,
        "resolution": resolution.number,
        "requirement": code,
        "language": state_language(state.iso3),
        "reference": demo.reference_for(received_at.year, rng.randint(1, 250)),
        "dated": max(resolution.adopted_on,
                     (received_at - dt.timedelta(days=rng.randint(0, dated_days))).date())
        .isoformat(),
        "received_at": received_at.isoformat(),
        "entries": entries,
    }
    if nil is not None:
        body |= {"nil": True, "justification": nil}
    if period is not None:
        body["period"] = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if event_on is not None:
        body["event_on"] = event_on.isoformat()
    return body


def _answer_entry(rng: random.Random, obligation: Obligation, texts: Texts, profile: str,
                  measures: str) -> dict[str, Any]:
    """An entry on `obligation` whose measures, where it gives them, say `measures`."""
    entry = _entry(rng, obligation, texts, profile)
    if entry.get("measures") == texts.measures:
        entry["measures"] = measures
    return entry


@dataclass(frozen=True)
class Draft:
    """A record for the backfill, and what it answers: (state, requirement code, occasion),
    the key of one report."""

    key: tuple[int, str, str]
    record: dict[str, Any]


def _stage_received(rng: random.Random, plan: dict[str, Any], due: dt.date,
                    after: dt.date | None) -> dt.datetime:
    """When a stage's report is received: by the due date (a share `on_time`), or after it
    and by `counted_by`; some day in the year after `after` when given."""
    if after is not None:
        return _at(rng, after + dt.timedelta(days=rng.randint(1, 365)))
    if rng.random() < plan["on_time"]:
        return _at(rng, due - dt.timedelta(days=rng.randint(0, 80)))
    return _at(rng, due + dt.timedelta(days=rng.randint(1, (plan["counted_by"] - due).days)))


def _covered(requirement: ReportingRequirement) -> list[Obligation]:
    """The obligations a report on `requirement` addresses: those it covers (of its
    resolution, or of an earlier resolution of the regime that it renews)."""
    return list(requirement.obligations)


def _stage_drafts(rng: random.Random, demo: RegimeDemo, plan: dict[str, Any],
                  requirement: ReportingRequirement, resolution: Resolution,
                  candidates: list[MemberState], since: Since) -> list[Draft]:
    """The reports on each stage of a staged requirement, nil reports among them."""
    stages = {stage.code: stage for stage in requirement.stages}
    plans = [p for p in plan["stages"] if p["stage"] in stages]
    covered = _covered(requirement)
    if not plans or not covered:
        return []
    obligation = covered[0]
    # The condition of the requirement is not met in these States: their reports are nil
    # (the first stage's from the first of them, later stages' from the last, so that some
    # file nil reports at several stages).
    nil_states = rng.sample(candidates, max(p["nil"] for p in plans) + 2)
    others = [s for s in candidates if s not in nil_states]
    first = plans[0]
    with_entries = rng.sample(others, first["filed"] - first["nil"] + first["later"])
    # Most States answering a later stage answered the one before; a few are new.
    new = [s for s in others if s not in with_entries]
    chosen = {first["stage"]: ([(s, False) for s in with_entries[:first["filed"] - first["nil"]]]
                               + [(s, True) for s in nil_states[:first["nil"]]],
                               with_entries[first["filed"] - first["nil"]:])}
    before = with_entries
    for stage in plans[1:]:
        fresh = plan["new_at_later_stages"]
        entries = (rng.sample(before, stage["filed"] - stage["nil"] + stage["later"] - fresh)
                   + rng.sample(new, fresh))
        new = [s for s in new if s not in entries]
        chosen[stage["stage"]] = (
            [(s, False) for s in entries[stage["later"]:]]
            + [(s, True) for s in (nil_states[-stage["nil"]:] if stage["nil"] else [])],
            entries[:stage["later"]])
        before = entries
    drafts: list[Draft] = []
    figures: dict[int, int] = {}
    for stage_plan in plans:
        stage = stages[stage_plan["stage"]]
        counted, later = chosen[stage_plan["stage"]]
        filings = [(s, nil, None) for s, nil in counted] + [
            (s, False, stage_plan["counted_by"]) for s in later]
        for state, nil, after in sorted(filings, key=lambda f: f[0].iso3):
            language = state_language(state.iso3)
            received = _stage_received(rng, stage_plan, stage.due, after)
            if nil:
                body = _answer(rng, demo, state, resolution, stage.code, received, entries=[],
                               nil=plan["nil"][language])
            else:
                n = figures.setdefault(state.id, rng.randint(*plan["figure"]))
                measures = stage_plan["measures"][language].format(n=n, m=rng.randint(0, n))
                entry = _answer_entry(rng, obligation, demo.texts[language],
                                      rng.choice(PROFILES), measures)
                body = _answer(rng, demo, state, resolution, stage.code, received,
                               entries=[entry])
            drafts.append(Draft((state.id, stage.code, ""), body))
    return drafts


def _periodic_drafts(rng: random.Random, demo: RegimeDemo, plan: dict[str, Any],
                     requirement: ReportingRequirement, resolution: Resolution,
                     candidates: list[MemberState], since: Since) -> list[Draft]:
    """The notifications of the notifying States, with gaps and some late, and standing nil
    reports from States with nothing to notify."""
    covered = _covered(requirement)
    if requirement.period_days is None or not covered:
        return []
    obligation = covered[0]
    notifiers = rng.sample(candidates, len(plan["notifiers"]))
    drafts: list[Draft] = []
    for state, notifier in zip(notifiers, plan["notifiers"], strict=True):
        language = state_language(state.iso3)
        periods = rules.periods_ended(resolution.adopted_on, requirement.period_days,
                                      notifier["until"])
        if len(periods) < 3:
            continue
        # Gaps between the first and the last period notified, at least one.
        missed = set(rng.sample(range(1, len(periods) - 1),
                                max(1, round(notifier["gaps"] * len(periods)))))
        for index, period in enumerate(periods):
            if rng.random() < notifier["late"]:
                received = _at(rng, period.due + dt.timedelta(days=rng.randint(1, 40)))
            else:
                received = _at(rng, period.end + dt.timedelta(days=rng.randint(2, 20)))
            measures = plan["measures"][language].format(n=rng.randint(*notifier["quantity"]))
            entry = _answer_entry(rng, obligation, demo.texts[language],
                                  rng.choice(("thorough", "solid")), measures)
            body = _answer(rng, demo, state, resolution, requirement.code, received,
                           entries=[entry], period=period,
                           dated_days=(received.date() - period.end).days)
            if index not in missed:
                drafts.append(Draft((state.id, requirement.code, period.key), body))
    others = [s for s in candidates if s not in notifiers]
    for state in sorted(rng.sample(others, plan["standing_nil"]), key=lambda s: s.iso3):
        received = _at(rng, resolution.adopted_on + dt.timedelta(days=rng.randint(30, 540)))
        body = _answer(rng, demo, state, resolution, requirement.code, received, entries=[],
                       nil=plan["nil"][state_language(state.iso3)])
        drafts.append(Draft((state.id, requirement.code, ""), body))
    return drafts


def _event_drafts(rng: random.Random, demo: RegimeDemo, plan: dict[str, Any],
                  requirement: ReportingRequirement, resolution: Resolution,
                  candidates: list[MemberState], since: Since) -> list[Draft]:
    """One report on an event from each of `filed` States, on the obligations the requirement
    covers (a random part of them), received some days after the event. With
    `among_reporters_of`, the States are drawn from those with a demo report on that
    requirement, each event after the State's first such report."""
    covered = _covered(requirement)
    if not covered:
        return []
    start, end = plan["events_between"]
    if plan["among_reporters_of"] is not None:
        first = since.get(plan["among_reporters_of"], {})
        candidates = [s for s in candidates if s.id in first and first[s.id] < end]
    drafts: list[Draft] = []
    chosen = rng.sample(candidates, min(plan["filed"], len(candidates)))
    for state in sorted(chosen, key=lambda s: s.iso3):
        language = state_language(state.iso3)
        low = start
        if plan["among_reporters_of"] is not None:
            low = max(start, since[plan["among_reporters_of"]][state.id] + dt.timedelta(days=1))
        event_on = low + dt.timedelta(days=rng.randint(0, (end - low).days))
        received = _at(rng, event_on + dt.timedelta(
            days=rng.randint(*plan["received_after_days"])))
        profile = rng.choice(PROFILES)
        addressed = [o for o in covered if rng.random() < 0.6] or [rng.choice(covered)]
        entries = [_answer_entry(rng, o, demo.texts[language], profile,
                                 plan["measures"][language]) for o in addressed]
        body = _answer(rng, demo, state, resolution, requirement.code, received,
                       entries=entries, event_on=event_on,
                       dated_days=(received.date() - event_on).days)
        drafts.append(Draft((state.id, requirement.code, event_on.isoformat()), body))
    return drafts


#: For a requirement code, the day each State (by id) first reported on it in the demo data.
Since = dict[str, dict[int, dt.date]]

ANSWERS = {"staged": _stage_drafts, "periodic": _periodic_drafts, "on_event": _event_drafts}


def demo_answers(resolution: Resolution, states: list[MemberState], seed: int,
                 demo: RegimeDemo | None = None, since: Since | None = None) -> list[Draft]:
    """Reports answering the requirements of `resolution` other than its general one that
    the regime's demo data plans (`demo`, read from the regime's demo file when not given):
    stages, periodic notifications with gaps, reports on events, nil reports. Drawn from a
    generator of their own, so that the general reports stay the same. `since`: when each
    State first reported on each requirement in the demo data drawn so far."""
    if demo is None:
        demo = regime_demos([resolution.regime])[resolution.regime.code]
    requirements = {q.code: q for q in resolution.reporting_requirements}
    plans = [p for p in demo.answers if p["requirement"] in requirements
             and requirements[p["requirement"]].kind == p["kind"]]
    if not plans:
        return []  # a catalogue that does not have them
    rng = random.Random(f"{seed}/{resolution.number}/requirements")
    candidates = [s for s in states if s.iso3 != resolution.regime.target_state]
    drafts: list[Draft] = []
    for plan in plans:
        drafts += ANSWERS[plan["kind"]](rng, demo, plan, requirements[plan["requirement"]],
                                        resolution, candidates, since or {})
    return drafts


def _general_records(rng: random.Random, demo: RegimeDemo, resolution: Resolution,
                     states: list[MemberState], existing: set[tuple[int, str, str]],
                     now: dt.datetime, since: Since) -> list[dict[str, Any]]:
    """General reports on `resolution` from a share of the States, some amended later; the
    day of each State's report is added to `since`."""
    deadline = resolution.reporting_deadline
    days = resolution.reporting_deadline_days
    general = default_requirement(resolution)
    if deadline is None or days is None or not resolution.obligations or general is None:
        return []
    share = demo.share(resolution.number)
    target = resolution.regime.target_state
    candidates = [s for s in states if s.iso3 != target]
    chosen = rng.sample(candidates, round(share.share * len(candidates)))
    records: list[dict[str, Any]] = []
    for state in sorted(chosen, key=lambda s: s.iso3):
        if rng.random() < share.on_time:
            offset = -rng.randint(0, days - 1)
        else:
            offset = int(rng.expovariate(1 / 150)) + 1
        received = dt.datetime.combine(deadline + dt.timedelta(days=offset),
                                       dt.time(rng.randint(7, 18), rng.randint(0, 59)),
                                       dt.UTC)
        profile = rng.choice(PROFILES)
        first = _body(rng, demo, state, resolution, received, profile)
        later = received + dt.timedelta(days=rng.randint(20, 300))
        amendment = _body(rng, demo, state, resolution, later, "thorough")
        amended = rng.random() < 0.2
        # Every random draw is made above, so the data are the same on every run.
        if received > now:
            continue
        since.setdefault(general.code, {})[state.id] = received.date()
        if (state.id, general.code, "") in existing:
            continue
        records.append(first)
        if amended and later < now:
            records.append(amendment)
    return records


def _load_regimes(session: DbSession) -> list[Regime]:
    return list(session.scalars(
        select(Regime).options(selectinload(Regime.resolutions).options(
            selectinload(Resolution.obligations), selectinload(Resolution.regime),
            selectinload(Resolution.reporting_requirements).options(
                selectinload(ReportingRequirement.stages),
                selectinload(ReportingRequirement.named_obligations),
            ),
        )).order_by(Regime.code)))


def demo_records(session: DbSession, seed: int = DEFAULT_SEED,
                 data_dir: Path = DATA_DIR) -> list[dict[str, Any]]:
    """The demo reports of every regime in the catalogue, as backfill records, leaving out
    those the database holds already and those received after now."""
    now = utcnow()
    states = list(session.scalars(select(MemberState).order_by(MemberState.iso3)))
    regimes = _load_regimes(session)
    demos = regime_demos(regimes, data_dir)
    # What each demo report answers: a rerun adds only the reports that are missing.
    existing = {(state_id, answers, occasion) for state_id, answers, occasion in session.execute(
        select(Report.state_id, Report.answers, Report.occasion)
        .where(Report.is_demo.is_(True))
    )}
    records: list[dict[str, Any]] = []
    for regime in regimes:
        demo = demos[regime.code]
        rng = random.Random(f"{seed}/{regime.code}")
        since: Since = {}
        for resolution in sorted(regime.resolutions, key=lambda r: r.number):
            records += _general_records(rng, demo, resolution, states, existing, now, since)
            # The whole set is drawn before any is left out, as above.
            records += [d.record for d in demo_answers(resolution, states, seed, demo, since)
                        if d.key not in existing
                        and dt.datetime.fromisoformat(d.record["received_at"]) <= now]
    return records


# --- the demo enforcement record -------------------------------------------------------

SYNTHETIC = "Synthetic demo incident, not a real event: "
DRAWN_PORTS = 4  # ports drawn for a regime's scenarios, which name them 0 to 3
DRAWN_FLAGS = 3  # flag States drawn, named flag:0 to flag:2


@dataclass
class DemoIncident:
    """A demo incident to record: its body, who records it (the Panel, or a State filing
    it), when, and the party States that acknowledge it (State, when)."""

    body: dict[str, Any]
    received_at: dt.datetime
    filed_by: MemberState | None = None
    acknowledged: list[tuple[MemberState, dt.datetime]] | None = None


def _demo_imo(rng: random.Random, taken: set[str]) -> str:
    """A fictional IMO number with a valid check digit, not used before."""
    while True:
        first_six = "9" + "".join(str(rng.randint(0, 9)) for _ in range(5))
        imo = first_six + str(incident_rules.imo_check_digit(first_six))
        if imo not in taken:
            taken.add(imo)
            return imo


def source_reference(scenario: dict[str, Any], year: int) -> str:
    """The reference of a demo incident's source: its kind, year and signal, which is how
    the demo findings find it again (`DEMO/SEIZURE/2017/LATE`)."""
    return f"DEMO/{scenario['source']}/{year}/{scenario['signal'].upper()}"


def _incident_body(scenario: dict[str, Any], day: dt.date, location: dict[str, Any],
                   summary: str, parties: list[tuple[str, str]],
                   vessels: list[dict[str, Any]], cargo: list[dict[str, Any]],
                   obligations: list[str]) -> dict[str, Any]:
    return {
        "kind": scenario["kind"], "occurred_on": day.isoformat(), "occurred_until": None,
        "location": location, "summary": SYNTHETIC + summary, "language": "en",
        "parties": [{"state": state, "role": role} for state, role in parties],
        "vessels": vessels, "cargo": cargo, "obligations": obligations,
        "sources": [{"kind": "other", "reference": source_reference(scenario, day.year),
                     "title": "Synthetic demo source (no such document)"}],
        "visibility": scenario["visibility"],
    }


def _inconsistent_report(rng: random.Random, records: list[dict[str, Any]],
                         resolutions: dict[int, Resolution]
                         ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A general demo report on one of `resolutions` with one version among `records` and an
    entry giving enforcement figures: (report, entry), or None when there is none."""
    versions: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record["state"], record["resolution"])
        versions[key] = versions.get(key, 0) + 1
    candidates = [
        (record, entry) for record in records
        if "requirement" not in record and versions[(record["state"], record["resolution"])] == 1
        and record["resolution"] in resolutions
        for entry in record["entries"] if isinstance(entry.get("enforcement"), dict)
    ]
    return rng.choice(candidates) if candidates else None


def _scenario_incidents(rng: random.Random, regime: Regime, plan: dict[str, Any],
                        states: dict[str, MemberState], records: list[dict[str, Any]]
                        ) -> list[DemoIncident]:
    """One demo incident for each scenario of `plan` (a demo file's `incidents`) that can
    happen: a scenario naming the target of a regime without one, or a State not in the
    catalogue, is left out."""
    target = regime.target_state
    taken: set[str] = set()
    port_states = {p["state"] for p in plan["ports"]}
    ports = rng.sample([p for p in plan["ports"] if p["state"] in states], DRAWN_PORTS)
    names = rng.sample(plan["vessel_names"], len(plan["vessel_names"]))
    flags = [s for s in sorted(states) if s != target and s not in port_states]
    drawn_flags = rng.sample(flags, DRAWN_FLAGS)
    resolutions = {r.number: r for r in regime.resolutions}
    found: list[DemoIncident] = []

    def when(start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=rng.randint(0, (end - start).days))

    for scenario in plan["scenarios"]:
        port = ports[scenario["port"]] if scenario["port"] is not None else None
        reporter: str | None = None
        values: dict[str, Any] = {}
        obligations = list(scenario["obligations"])
        if scenario["signal"] == "undeclared":
            # A seizure by a State whose report declares none in the same window.
            chosen = _inconsistent_report(rng, records, resolutions)
            if chosen is None:
                continue
            report, entry = chosen
            resolution = resolutions[report["resolution"]]
            dated = dt.date.fromisoformat(report["dated"])
            day = when(resolution.adopted_on, dated)
            entry["enforcement"]["seizures"] = 0
            reporter = report["state"]
            obligations = [entry["obligation"]]
            values |= {"state": reporter, "resolution": resolution.number,
                       "obligation": entry["obligation"]}
        else:
            day = when(*scenario["between"])

        # Who each reference of the scenario names (None: nobody in this regime).
        named: dict[str, str | None] = {
            "port": port["state"] if port is not None else None, "target": target,
            "reporter": reporter, **{f"flag:{i}": iso3 for i, iso3 in enumerate(drawn_flags)}}
        who = named.get

        received: dt.datetime | None = None
        acknowledged: list[tuple[MemberState, dt.datetime]] = []
        if scenario["filed_by"] or scenario["acknowledged_by"]:
            received = _at(rng, day + dt.timedelta(
                days=rng.randint(*scenario["recorded_after_days"])))
            if scenario["acknowledged_by"]:
                on = _at(rng, received.date() + dt.timedelta(
                    days=rng.randint(*scenario["acknowledged_after_days"])))
                acknowledged = [(states[iso3], on) for iso3 in
                                (who(r) for r in scenario["acknowledged_by"]) if iso3]
        vessels = []
        for ref in scenario["vessels"]:
            flag = who(ref)
            name = names[len(taken)]
            vessels.append({"imo": _demo_imo(rng, taken), "name": name, "flag": flag})
        values |= {f"vessel{i + 1 if i else ''}": v["name"] for i, v in enumerate(vessels)}
        values |= {name: rng.randint(*bounds) for name, bounds in scenario["draws"].items()}
        if port is not None:
            location = {"state": port["state"], "place": port["place"], "lat": port["lat"],
                        "lon": port["lon"]}
            values["place"] = port["place"]
        elif scenario["location"] is not None:
            at_sea = scenario["location"]
            location = {"state": None, "place": at_sea["place"],
                        "lat": round(rng.uniform(*at_sea["lat"]), 3),
                        "lon": round(rng.uniform(*at_sea["lon"]), 3)}
            values["place"] = at_sea["place"]
        else:
            location = {"state": reporter, "place": None, "lat": None, "lon": None}
        cargo = [{"description": c["description"], "hs_code": c["hs_code"],
                  "quantity": rng.randint(*c["quantity"]) if c["quantity"] else None,
                  "unit": c["unit"], "value_usd": None} for c in scenario["cargo"]]
        if received is None:
            recorded = day + dt.timedelta(days=rng.randint(*scenario["recorded_after_days"]))
            if scenario["signal"] == "undeclared":  # by the day the report is dated
                recorded = min(recorded, dated)
            received = _at(rng, recorded)
        parties = [(who(ref), role) for ref, role in scenario["parties"]]
        if any(iso3 is None or iso3 not in states for iso3, _ in parties) or any(
                v["flag"] is None for v in vessels):
            continue  # e.g. a scenario naming the target of a regime without one
        filed_by = who(scenario["filed_by"]) if scenario["filed_by"] else None
        found.append(DemoIncident(
            _incident_body(scenario, day, location, scenario["summary"].format(**values),
                           [(iso3, role) for iso3, role in parties if iso3], vessels, cargo,
                           obligations),
            received, filed_by=states[filed_by] if filed_by else None,
            acknowledged=acknowledged or None))
    return found


def demo_incidents(session: DbSession, seed: int, records: list[dict[str, Any]],
                   data_dir: Path = DATA_DIR) -> list[DemoIncident]:
    """The demo enforcement record (see the module's docstring) of every regime whose demo
    file has scenarios. For an `undeclared` scenario, one report of `records` (a general
    report with a single version) is changed to declare `seizures: 0` on an entry whose
    obligation a demo seizure by its State engages, within its window (the resolution's
    adoption to the day the report is dated)."""
    today = utcnow().date()
    states = {s.iso3: s for s in session.scalars(select(MemberState))}
    regimes = _load_regimes(session)
    demos = regime_demos(regimes, data_dir)
    found: list[DemoIncident] = []
    for regime in regimes:
        plan = demos[regime.code].incidents
        if plan is None or len([p for p in plan["ports"] if p["state"] in states]) < DRAWN_PORTS:
            continue
        rng = random.Random(f"{seed}/{regime.code}/incidents")
        found += _scenario_incidents(rng, regime, plan, states, records)
    # Every draw is made above; a date past today (the generator's ranges are historical)
    # leaves that incident out.
    return [i for i in found if i.received_at.date() <= today]


def _record_demo_incidents(session: DbSession, drafts: list[DemoIncident]) -> int:
    recorded: list[int] = []
    for draft in drafts:
        principal = DEMO_PRINCIPAL
        if draft.filed_by is not None:
            principal = Principal(authority_id=None, token_id=None, name=DEMO_PRINCIPAL.name,
                                  role=Role.REPORTER, state_id=draft.filed_by.id,
                                  state_iso3=draft.filed_by.iso3)
        doc = incident_service._require_checked(session, principal, draft.body)
        version = incident_service._create(session, principal, doc, demo=True,
                                           received_at=draft.received_at)
        recorded.append(version.incident.id)
        for state, on in draft.acknowledged or []:
            session.add(IncidentAcknowledgement(
                incident_id=version.incident.id, state_id=state.id, authority_id=None,
                token_id=None, reference=f"DEMO/ACK/{on.year} (demo)", acknowledged_at=on))
    # What the live matrix reads, with the acknowledgements just added.
    incident_service.refresh_derived(session, recorded)
    return len(drafts)


# --- the demo Panel findings -----------------------------------------------------------

DEMO_FINDING = "Synthetic demo finding: "
# The State's reply to the published demo finding, in its language.
DEMO_REPLIES = {
    "en": "Synthetic demo reply, not a real statement: the seizure was made by the customs "
          "service and will be included in the next report [demo]",
    "fr": "Réponse de démonstration fictive, pas une déclaration réelle : la saisie a été "
          "effectuée par les douanes et figurera dans le prochain rapport [démo]",
    "es": "Respuesta de demostración ficticia, no una declaración real: la incautación la "
          "realizó la aduana y figurará en el próximo informe [demo]",
    "ru": "Вымышленный демонстрационный ответ, а не реальное заявление: изъятие произведено "
          "таможенной службой и будет отражено в следующем докладе [демо]",
    "ar": "رد تجريبي مصطنع وليس بيانا حقيقيا: قامت الجمارك بعملية الضبط وستدرج في التقرير "
          "المقبل [تجريبي]",
    "zh": "虚构的演示答复，并非真实声明：该查扣由海关执行，将列入下一次报告 [演示]",
}


def _demo_incident_by_signal(session: DbSession, signal: str
                             ) -> tuple[Incident, IncidentVersion] | None:
    """The demo incident giving `signal`: the one whose current version cites a demo source
    of that signal (`source_reference`)."""
    marker = f"/{signal.upper()}"
    rows = session.execute(
        select(Incident, IncidentVersion)
        .join(IncidentVersion, and_(IncidentVersion.incident_id == Incident.id,
                                    IncidentVersion.number == Incident.current_version))
        .where(Incident.is_demo.is_(True))
        .options(selectinload(IncidentVersion.parties),
                 selectinload(IncidentVersion.obligations))
        .order_by(Incident.id)).all()
    for incident, version in rows:
        if any(str(s.get("reference", "")).startswith("DEMO/")
               and str(s.get("reference", "")).endswith(marker)
               for s in version.sources or []):
            return incident, version
    return None


def _party(version: IncidentVersion, role: str) -> int | None:
    return next((p.state_id for p in version.parties if p.role == role), None)


def _undeclared_entry(session: DbSession, version: IncidentVersion
                      ) -> tuple[Report, Obligation] | None:
    """The demo report (at its current version) of the seizing State declaring no seizure
    on an obligation the seizure engages, dated on or after it."""
    state_id = _party(version, "inspecting_state")
    obligations = [o.obligation_id for o in version.obligations]
    hit = session.execute(
        select(Report, Obligation)
        .join(ReportVersion, and_(ReportVersion.report_id == Report.id,
                                  ReportVersion.number == Report.current_version))
        .join(Entry, Entry.version_id == ReportVersion.id)
        .join(Obligation, Obligation.id == Entry.obligation_id)
        .where(Report.is_demo.is_(True), Report.state_id == state_id,
               Entry.obligation_id.in_(obligations), Entry.seizures == 0,
               ReportVersion.dated >= version.occurred_on)
        .order_by(Report.id, Entry.position)).first()
    return (hit[0], hit[1]) if hit is not None else None


def _demo_finding(session: DbSession, *, state: MemberState, kind: SubjectKind,
                  assessment: Assessment, text: str, created_at: dt.datetime,
                  subject: dict[str, Any], evidence: list[dict[str, Any]],
                  report: Report | None = None, obligation: Obligation | None = None,
                  incident: Incident | None = None) -> Finding:
    """A demo draft at version 1, as `services.findings.record` makes one."""
    finding = Finding(
        public_id="f" + secrets.token_hex(10), state=state, subject_kind=kind, report=report,
        obligation=obligation, incident=incident, assessment=assessment,
        visibility=Visibility.PUBLIC, status=FindingStatus.DRAFT, current_version=1,
        revision=1, created_by_id=None, created_at=created_at, is_demo=True)
    body = {"state": state.iso3, "subject": subject, "assessment": assessment,
            "visibility": Visibility.PUBLIC, "language": "en", "text": DEMO_FINDING + text,
            "evidence": evidence}
    session.add(finding)
    session.add(FindingVersion(
        finding=finding, number=1, received_at=created_at, author_id=None, token_id=None,
        assessment=assessment, visibility=Visibility.PUBLIC, language="en",
        text=body["text"], evidence=evidence, document=body))
    return finding


def _share(finding: Finding, at: dt.datetime) -> None:
    """Shared at `at`, as `services.findings.change_status` shares."""
    finding.status = FindingStatus.SHARED
    finding.shared_at = at
    finding.reply_due = at.date() + dt.timedelta(days=finding_rules.DEFAULT_REPLY_DAYS)
    finding.revision += 1


def demo_findings(session: DbSession, seed: int) -> int:
    """Record the demo Panel findings (see the module's docstring) on the demo incidents
    and reports in the database; those whose subject is missing are left out. Returns how
    many were recorded."""
    rng = random.Random(f"{seed}/findings")
    now = utcnow()
    states = {s.id: s for s in session.scalars(select(MemberState))}
    made = 0

    def office_hours(day: dt.date) -> dt.datetime:
        return _at(rng, day)

    # Published, contradicted, with the State's reply.
    undeclared = _demo_incident_by_signal(session, "undeclared")
    entry = _undeclared_entry(session, undeclared[1]) if undeclared else None
    if undeclared is not None and entry is not None:
        incident, _ = undeclared
        report, obligation = entry
        state = states[report.state_id]
        created = office_hours(incident.first_recorded_at.date()
                               + dt.timedelta(days=rng.randint(10, 30)))
        if created < now - dt.timedelta(days=90):
            finding = _demo_finding(
                session, state=state, kind=SubjectKind.ENTRY,
                assessment=Assessment.CONTRADICTED, created_at=created,
                text=f"{state.name}'s demo report {report.public_id} declares no seizure "
                     f"under {obligation.code}, but the demo incident {incident.public_id} "
                     "records a seizure by it in the report's period.",
                subject={"report": report.public_id, "obligation": obligation.code},
                evidence=[{"incident": incident.public_id}], report=report,
                obligation=obligation)
            _share(finding, created + dt.timedelta(days=rng.randint(1, 5)))
            assert finding.shared_at is not None and finding.reply_due is not None
            replied = finding.shared_at + dt.timedelta(days=rng.randint(5, 20))
            language = state_language(state.iso3)
            reply = FindingReply(finding=finding, current_version=1, first_received_at=replied)
            session.add(reply)
            session.add(FindingReplyVersion(
                reply=reply, number=1, received_at=replied, authority_id=None, token_id=None,
                language=language, text=DEMO_REPLIES[language]))
            finding.revision += 1  # the reply
            finding.status = FindingStatus.PUBLISHED
            finding.published_at = replied + dt.timedelta(days=rng.randint(2, 8))
            finding.revision += 1
            made += 1

    # Shared, unverifiable, about the port State of the unreported incident; no reply yet.
    unreported = _demo_incident_by_signal(session, "unreported")
    if unreported is not None and unreported[1].obligations:
        incident, version = unreported
        port_state = _party(version, "port_state")
        engaged = session.get(Obligation, version.obligations[0].obligation_id)
        if port_state is not None and engaged is not None:
            state, obligation = states[port_state], engaged
            created = now - dt.timedelta(days=4)
            finding = _demo_finding(
                session, state=state, kind=SubjectKind.OBLIGATION,
                assessment=Assessment.UNVERIFIABLE, created_at=created,
                text=f"whether {state.name} implements {obligation.code} cannot be verified: "
                     f"it has not reported the demo incident {incident.public_id} in its "
                     "port, and no other source covers its port controls.",
                subject={"obligation": obligation.code},
                evidence=[{"incident": incident.public_id}], obligation=obligation)
            _share(finding, now - dt.timedelta(days=2))
            made += 1

    # A draft, corroborated, on the late-filed seizure.
    late = _demo_incident_by_signal(session, "late")
    if late is not None:
        incident, version = late
        inspecting = _party(version, "inspecting_state")
        if inspecting is not None:
            state = states[inspecting]
            _demo_finding(
                session, state=state, kind=SubjectKind.INCIDENT,
                assessment=Assessment.CORROBORATED, created_at=now - dt.timedelta(days=1),
                text=f"the seizure of demo incident {incident.public_id} by {state.name} "
                     "is corroborated by the cargo manifest and the inspection photographs "
                     "(synthetic).",
                subject={"incident": incident.public_id},
                evidence=[{"source": {"kind": "other", "reference": "DEMO/MANIFEST",
                                      "title": "Synthetic demo source (no such document)"}}],
                incident=incident)
            made += 1
    session.flush()
    return made


@dataclass(frozen=True)
class LoadSummary:
    versions: int
    incidents: int
    findings: int = 0


@use_case
def load_demo(session: DbSession, seed: int = DEFAULT_SEED,
              data_dir: Path = DATA_DIR) -> LoadSummary:
    """Store the demo reports in the demo namespace (skipping any state and resolution that
    has demo data already), unless there are demo incidents already the demo enforcement
    record, and unless there are demo findings already the demo Panel findings; in one
    transaction audited once."""
    records = demo_records(session, seed, data_dir)
    has_incidents = session.scalar(select(Incident.id).where(Incident.is_demo.is_(True))
                                   .limit(1)) is not None
    has_findings = session.scalar(select(Finding.id).where(Finding.is_demo.is_(True))
                                  .limit(1)) is not None
    drafts = [] if has_incidents else demo_incidents(session, seed, records, data_dir)
    if not records and not drafts and has_findings:
        return LoadSummary(0, 0)
    versions = backfill(session, DEMO_PRINCIPAL, records, demo=True).versions if records else 0
    incidents = _record_demo_incidents(session, drafts)
    findings = 0 if has_findings else demo_findings(session, seed)
    if not versions and not incidents and not findings:
        return LoadSummary(0, 0)
    revisions.touch_demo(session)  # what the cached summaries show changes with it
    audit.record(session, action="demo.load", actor=COMMAND_LINE.name,
                 details={"seed": seed, "versions": len(records), "incidents": len(drafts),
                          "findings": findings})
    return LoadSummary(versions, incidents, findings)


@dataclass(frozen=True)
class UnloadSummary:
    reports: int
    versions: int
    entries: int
    incidents: int = 0
    findings: int = 0


@use_case
def unload_demo(session: DbSession) -> UnloadSummary:
    """Remove every demo finding with its versions and reply, every demo report with its
    versions and entries, and every demo incident with its versions and acknowledgements,
    and nothing else, in one transaction. Real findings, reports and incidents, authorities
    and the audit trail of real actions stay."""
    revisions.touch_demo(session)  # before: what the demo data concern is read from them
    findings = _unload_demo_findings(session)
    demo_reports = select(Report.id).where(Report.is_demo.is_(True))
    demo_versions = select(ReportVersion.id).where(ReportVersion.report_id.in_(demo_reports))
    entries = rowcount(session.execute(
        delete(Entry).where(Entry.version_id.in_(demo_versions))
    ))
    versions = rowcount(session.execute(
        delete(ReportVersion).where(ReportVersion.report_id.in_(demo_reports))
    ))
    # Databases loaded before demo data had a namespace of its own audited each demo
    # report; those events describe demo data and go with it.
    session.execute(delete(AuditEvent).where(AuditEvent.report_id.in_(demo_reports)))
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.report_id.in_(demo_reports)))
    reports = rowcount(session.execute(delete(Report).where(Report.is_demo.is_(True))))
    incidents = _unload_demo_incidents(session)
    if reports or incidents or findings:
        audit.record(session, action="demo.unload", actor=COMMAND_LINE.name,
                     details={"reports": reports, "versions": versions,
                              "incidents": incidents, "findings": findings})
    return UnloadSummary(reports=reports, versions=versions, entries=entries,
                         incidents=incidents, findings=findings)


def _unload_demo_findings(session: DbSession) -> int:
    """Demo findings go first: they refer to demo reports and incidents."""
    demo = select(Finding.id).where(Finding.is_demo.is_(True))
    replies = select(FindingReply.id).where(FindingReply.finding_id.in_(demo))
    session.execute(delete(FindingReplyVersion).where(FindingReplyVersion.reply_id.in_(replies)))
    session.execute(delete(FindingReply).where(FindingReply.finding_id.in_(demo)))
    session.execute(delete(FindingVersion).where(FindingVersion.finding_id.in_(demo)))
    return rowcount(session.execute(delete(Finding).where(Finding.is_demo.is_(True))))


def _unload_demo_incidents(session: DbSession) -> int:
    demo = select(Incident.id).where(Incident.is_demo.is_(True))
    demo_versions = select(IncidentVersion.id).where(IncidentVersion.incident_id.in_(demo))
    for derived in (IncidentInvolvement, IncidentEnforcement):
        session.execute(delete(derived).where(derived.incident_id.in_(demo)))
    for child in (IncidentParty, IncidentVessel, IncidentObligation):
        session.execute(delete(child).where(child.version_id.in_(demo_versions)))
    session.execute(delete(IncidentVersion).where(IncidentVersion.incident_id.in_(demo)))
    session.execute(delete(IncidentAcknowledgement).where(
        IncidentAcknowledgement.incident_id.in_(demo)))
    return rowcount(session.execute(delete(Incident).where(Incident.is_demo.is_(True))))
