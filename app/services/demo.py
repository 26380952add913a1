"""Synthetic demo reports, so that a newcomer sees a realistic matrix at once.

Every report made here is marked `is_demo` in the database, and every output built from it
says so. The shares of states reporting follow the published counts in magnitude (for example
102 reports on 2270 and 89 on 2321 by late 2017, 8 of 192 states on time for 2094); the
states, dates and contents are random (seeded, so the same data each time).

Besides each resolution's general report, the demo answers the other requirements of
resolution 2397 (`demo_answers`):
- the midterm and final reports on the repatriation of DPRK nationals earning income abroad
  (`2397/R-8`): about 47 States with a midterm report by the end of 2019 (the published
  figure), some by the due date of 22 March 2019 and some after it, a few more in 2020, and
  final reports from fewer States, some by 22 March 2020; a handful of each are nil reports
  ("no DPRK nationals earn income in our jurisdiction");
- the refined-petroleum notifications (`2397/R-5-refined`, every 30 days from 2017-12-22) of
  two supplier States, each received some days after its period ended (some after the
  period's due date), both missing some periods, one notifying to the end of 2020, the
  other stopping in mid-2019; and standing nil reports ("we supply none") from a few other
  States.
A State writes every report in its own language, and the target of the regime (the DPRK)
never reports.

The demo enforcement record (`demo_incidents`) holds a few synthetic incidents, one for each
signal the record gives: a designated vessel's port call the port State never reported
(`unreported_by`), a seizure its inspecting State filed months after the event (`days after
the event`), a seizure the Panel recorded that one party State acknowledged and another did
not, a ship-to-ship transfer on the high seas, and a seizure by a State whose demo report
declares `seizures: 0` for the obligation it engages, within the report's window
(`inconsistent_with_record`). Their vessels are named `DEMO ...` and their summaries say they
are synthetic.

The demo Panel findings (`demo_findings`) show the right of reply at each stage: a published
`contradicted` finding on the demo report's entry that declares `seizures: 0`, with the
undeclared demo seizure as evidence and a synthetic reply of that State in its language; a
shared `unverifiable` finding on another State's implementation of the obligation the
unreported port call engages, its reply window still open; and a draft `corroborated` finding
on the late-filed seizure. Their texts start "Synthetic demo finding:"; they are marked
`is_demo` and reporters never see them.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import selectinload

from .. import findings as finding_rules
from .. import incidents as incident_rules
from .. import requirements as rules
from ..auth import COMMAND_LINE, Principal
from ..domain import Assessment, EntryStatus, FindingStatus, Role, SubjectKind, Visibility
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
# Share of Member States with a report, and share of those on time, per resolution.
SHARES = {
    1718: (0.40, 0.35), 1874: (0.30, 0.30), 2094: (0.35, 0.08), 2270: (0.53, 0.30),
    2321: (0.46, 0.30), 2371: (0.30, 0.40), 2375: (0.28, 0.40), 2397: (0.35, 0.45),
}
DEFAULT_SHARE = (0.30, 0.35)
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

TEXT = {
    "en": ("Sanctions (DPRK) Regulations, section {n} [demo]", "Customs Service [demo]",
           "Licensing, cargo screening and port inspections [demo]"),
    "fr": ("Décret n° {n} relatif aux mesures restrictives [démo]", "Direction des douanes "
           "[démo]", "Contrôles des cargaisons et inspections portuaires [démo]"),
    "es": ("Real Decreto {n} sobre sanciones [demo]", "Agencia Tributaria, Aduanas [demo]",
           "Control de carga e inspecciones portuarias [demo]"),
    "ru": ("Указ № {n} о мерах по выполнению резолюции [демо]", "Федеральная таможенная служба "
           "[демо]", "Досмотр грузов и портовые проверки [демо]"),
    "ar": ("المرسوم رقم {n} بشأن تدابير الجزاءات [تجريبي]", "الهيئة العامة للجمارك [تجريبي]",
           "فحص الشحنات والتفتيش في الموانئ [تجريبي]"),
    "zh": ("关于执行制裁措施的第{n}号令 [演示]", "海关总署 [演示]", "货物检查和港口检查 [演示]"),
}
PROFILES = ("thorough", "solid", "solid", "thin", "honest", "unsubstantiated")


def _entry(rng: random.Random, obligation, language: str, profile: str) -> dict[str, Any]:
    legal, authority, measures = TEXT[language]
    entry: dict[str, Any] = {"obligation": obligation.code, "status": EntryStatus.IMPLEMENTED}
    keep = {"thorough": 1.0, "solid": 0.75, "thin": 0.3, "honest": 0.8,
            "unsubstantiated": 0.5}[profile]
    if rng.random() < keep:
        entry["legal_basis"] = legal.format(n=rng.randint(10, 999))
    if profile != "unsubstantiated" and rng.random() < keep:
        entry["competent_authority"] = authority
    if rng.random() < keep:
        entry["measures"] = measures
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


def _body(rng, state, resolution, received_at: dt.datetime, profile: str) -> dict[str, Any]:
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
        "reference": f"S/AC.49/{received_at.year}/{rng.randint(1, 250)} (demo)",
        "dated": (received_at - dt.timedelta(days=rng.randint(2, 20))).date().isoformat(),
        "received_at": received_at.isoformat(),
        "entries": [_entry(rng, o, language, profile) for o in obligations],
    }


# --- the other requirements of resolution 2397 ------------------------------------------

STAGED_RESOLUTION = 2397
STAGED = "2397/R-8"
MIDTERM, FINAL = f"{STAGED}-midterm", f"{STAGED}-final"
REFINED = "2397/R-5-refined"


@dataclass(frozen=True)
class StagePlan:
    """How many States answer one stage of 2397/R-8, and when: `filed` States (`nil` of them
    with a nil report) by `counted_by`, a share `on_time` of them by the stage's due date,
    the others after it; `later` more States after `counted_by`."""

    code: str
    filed: int
    nil: int
    on_time: float
    counted_by: dt.date
    later: int


# About 47 States had filed the midterm report by December 2019 (the published figure).
STAGE_PLANS = (
    StagePlan(MIDTERM, filed=47, nil=5, on_time=0.45, counted_by=dt.date(2019, 12, 31),
              later=4),
    StagePlan(FINAL, filed=31, nil=4, on_time=0.40, counted_by=dt.date(2020, 12, 31),
              later=2),
)


@dataclass(frozen=True)
class SupplierPlan:
    """A State notifying the refined petroleum it supplies: every period ended by `until`
    but a share `gaps` of them (at least one), received some days after the period's end,
    a share `late` after the period's due date; `tonnes` the range of the quantities
    notified."""

    until: dt.date
    gaps: float
    late: float
    tonnes: tuple[int, int]


SUPPLIER_PLANS = (
    SupplierPlan(until=dt.date(2020, 12, 31), gaps=0.15, late=0.15, tonnes=(800, 6000)),
    SupplierPlan(until=dt.date(2019, 6, 30), gaps=0.10, late=0.25, tonnes=(0, 3000)),
)
REFINED_NIL = 6  # standing nil reports on refined petroleum from States that supply none
FINAL_ONLY = 3  # States with a final report and no midterm one

R8_MEASURES = {
    MIDTERM: {
        "en": "{n} DPRK nationals earning income identified; {m} repatriated so far, the "
              "others by 22 December 2019 [demo]",
        "fr": "{n} ressortissants de la RPDC percevant des revenus recensés ; {m} rapatriés "
              "à ce jour, les autres d'ici au 22 décembre 2019 [démo]",
        "es": "{n} nacionales de la RPDC que perciben ingresos identificados; {m} repatriados "
              "hasta la fecha, los demás antes del 22 de diciembre de 2019 [demo]",
        "ru": "Выявлено {n} граждан КНДР, получающих доход; {m} уже репатриированы, остальные "
              "будут репатриированы до 22 декабря 2019 года [демо]",
        "ar": "تم تحديد {n} من رعايا جمهورية كوريا الشعبية الديمقراطية الذين يكسبون دخلا؛ أعيد "
              "{m} منهم حتى الآن، والباقون بحلول 22 كانون الأول/ديسمبر 2019 [تجريبي]",
        "zh": "已查明{n}名赚取收入的朝鲜国民；迄今已遣返{m}名，其余将于2019年12月22日前遣返 [演示]",
    },
    FINAL: {
        "en": "All {n} DPRK nationals earning income repatriated; no work permit renewed "
              "[demo]",
        "fr": "Les {n} ressortissants de la RPDC percevant des revenus ont tous été "
              "rapatriés ; aucun permis de travail renouvelé [démo]",
        "es": "Los {n} nacionales de la RPDC que percibían ingresos han sido repatriados; no "
              "se ha renovado ningún permiso de trabajo [demo]",
        "ru": "Все {n} граждан КНДР, получавших доход, репатриированы; разрешения на работу "
              "не продлеваются [демо]",
        "ar": "أعيد جميع رعايا جمهورية كوريا الشعبية الديمقراطية الذين كانوا يكسبون دخلا وعددهم "
              "{n}؛ ولم يجدد أي تصريح عمل [تجريبي]",
        "zh": "全部{n}名赚取收入的朝鲜国民均已遣返；未续签任何工作许可 [演示]",
    },
}
REFINED_MEASURES = {
    "en": "{t} tonnes of refined petroleum products supplied to the DPRK in the period [demo]",
    "fr": "{t} tonnes de produits pétroliers raffinés fournies à la RPDC au cours de la "
          "période [démo]",
    "es": "{t} toneladas de productos derivados del petróleo refinado suministradas a la RPDC "
          "en el período [demo]",
    "ru": "{t} тонн продуктов переработки нефти поставлено в КНДР за период [демо]",
    "ar": "{t} طن من المنتجات النفطية المكررة وردت إلى جمهورية كوريا الشعبية الديمقراطية خلال "
          "الفترة [تجريبي]",
    "zh": "本期内向朝鲜供应精炼石油产品{t}吨 [演示]",
}
# Why a nil report: the condition of the requirement is not met.
NIL_JUSTIFICATIONS = {
    STAGED: {
        "en": "No DPRK nationals earn income in our jurisdiction [demo]",
        "fr": "Aucun ressortissant de la RPDC ne perçoit de revenus sur notre territoire "
              "[démo]",
        "es": "Ningún nacional de la RPDC percibe ingresos en nuestra jurisdicción [demo]",
        "ru": "Граждане КНДР не получают доходов под нашей юрисдикцией [демо]",
        "ar": "لا يكسب أي من رعايا جمهورية كوريا الشعبية الديمقراطية دخلا في نطاق ولايتنا "
              "[تجريبي]",
        "zh": "本国管辖范围内没有赚取收入的朝鲜国民 [演示]",
    },
    REFINED: {
        "en": "We supply no refined petroleum products to the DPRK [demo]",
        "fr": "Nous ne fournissons aucun produit pétrolier raffiné à la RPDC [démo]",
        "es": "No suministramos productos derivados del petróleo refinado a la RPDC [demo]",
        "ru": "Мы не поставляем продукты переработки нефти в КНДР [демо]",
        "ar": "لا نورّد أي منتجات نفطية مكررة إلى جمهورية كوريا الشعبية الديمقراطية [تجريبي]",
        "zh": "我国不向朝鲜供应任何精炼石油产品 [演示]",
    },
}


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A time in office hours (UTC) on `day`."""
    return dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)), dt.UTC)


def _answer(rng: random.Random, state: MemberState, resolution: Resolution, code: str,
            received_at: dt.datetime, *,
            entries: list[dict[str, Any]], nil: str | None = None,
            period: rules.Period | None = None, dated_days: int = 20) -> dict[str, Any]:
    """A report answering requirement (or stage) `code`: with entries, or a nil report
    justified by `nil`; for a periodic requirement, about `period`."""
    body: dict[str, Any] = {
        "state": state.iso3,
        "resolution": resolution.number,
        "requirement": code,
        "language": state_language(state.iso3),
        "reference": f"S/AC.49/{received_at.year}/{rng.randint(1, 250)} (demo)",
        "dated": (received_at - dt.timedelta(days=rng.randint(0, dated_days))).date()
        .isoformat(),
        "received_at": received_at.isoformat(),
        "entries": entries,
    }
    if nil is not None:
        body |= {"nil": True, "justification": nil}
    if period is not None:
        body["period"] = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return body


def _answer_entry(rng: random.Random, obligation: Obligation, language: str, profile: str,
                  measures: str) -> dict[str, Any]:
    """An entry on `obligation` whose measures, where it gives them, say `measures`."""
    entry = _entry(rng, obligation, language, profile)
    if entry.get("measures") == TEXT[language][2]:
        entry["measures"] = measures
    return entry


@dataclass(frozen=True)
class Draft:
    """A record for the backfill, and what it answers: (state, requirement code, occasion),
    the key of one report."""

    key: tuple[int, str, str]
    record: dict[str, Any]


def _stage_received(rng: random.Random, plan: StagePlan, due: dt.date,
                    after: dt.date | None) -> dt.datetime:
    """When a stage's report is received: by the due date (a share `on_time`), or after it
    and by `counted_by`; some day in the year after `after` when given."""
    if after is not None:
        return _at(rng, after + dt.timedelta(days=rng.randint(1, 365)))
    if rng.random() < plan.on_time:
        return _at(rng, due - dt.timedelta(days=rng.randint(0, 80)))
    return _at(rng, due + dt.timedelta(days=rng.randint(1, (plan.counted_by - due).days)))


def _stage_drafts(rng: random.Random, resolution: Resolution,
                  candidates: list[MemberState]) -> list[Draft]:
    """Midterm and final reports on 2397/R-8, nil reports among them (`STAGE_PLANS`)."""
    requirement = next(q for q in resolution.reporting_requirements if q.code == STAGED)
    obligation = requirement.obligations[0]
    stages = {stage.code: stage for stage in requirement.stages}
    justification = NIL_JUSTIFICATIONS[requirement.code]
    midterm, final = STAGE_PLANS
    # No DPRK nationals earn income in these States: their midterm and final reports are nil
    # (some of them file both).
    nil_states = rng.sample(candidates, max(midterm.nil, final.nil) + 2)
    others = [s for s in candidates if s not in nil_states]
    with_entries = rng.sample(others, midterm.filed - midterm.nil + midterm.later)
    # Most States with a final report had filed a midterm one.
    new = [s for s in others if s not in with_entries]
    final_entries = (rng.sample(with_entries,
                                final.filed - final.nil + final.later - FINAL_ONLY)
                     + rng.sample(new, FINAL_ONLY))
    chosen = {
        MIDTERM: ([(s, False) for s in with_entries[:midterm.filed - midterm.nil]]
                  + [(s, True) for s in nil_states[:midterm.nil]],
                  with_entries[midterm.filed - midterm.nil:]),
        FINAL: ([(s, False) for s in final_entries[final.later:]]
                + [(s, True) for s in nil_states[-final.nil:]],
                final_entries[:final.later]),
    }
    drafts: list[Draft] = []
    workers: dict[int, int] = {}
    for plan in STAGE_PLANS:
        stage = stages[plan.code]
        counted, later = chosen[plan.code]
        filings = [(s, nil, None) for s, nil in counted] + [(s, False, plan.counted_by)
                                                             for s in later]
        for state, nil, after in sorted(filings, key=lambda f: f[0].iso3):
            language = state_language(state.iso3)
            received = _stage_received(rng, plan, stage.due, after)
            if nil:
                body = _answer(rng, state, resolution, plan.code, received, entries=[],
                               nil=justification[language])
            else:
                n = workers.setdefault(state.id, rng.randint(3, 400))
                measures = R8_MEASURES[plan.code][language].format(n=n,
                                                                   m=rng.randint(0, n))
                entry = _answer_entry(rng, obligation, language, rng.choice(PROFILES),
                                      measures)
                body = _answer(rng, state, resolution, plan.code, received, entries=[entry])
            drafts.append(Draft((state.id, plan.code, ""), body))
    return drafts


def _refined_drafts(rng: random.Random, resolution: Resolution,
                    candidates: list[MemberState]) -> list[Draft]:
    """Refined-petroleum notifications of the suppliers (`SUPPLIER_PLANS`), with gaps and
    some late, and standing nil reports from States that supply none."""
    requirement = next(q for q in resolution.reporting_requirements if q.code == REFINED)
    assert requirement.period_days is not None
    obligation = requirement.obligations[0]
    suppliers = rng.sample(candidates, len(SUPPLIER_PLANS))
    drafts: list[Draft] = []
    for state, plan in zip(suppliers, SUPPLIER_PLANS, strict=True):
        language = state_language(state.iso3)
        periods = rules.periods_ended(resolution.adopted_on, requirement.period_days,
                                      plan.until)
        # Gaps between the first and the last period notified, at least one.
        missed = set(rng.sample(range(1, len(periods) - 1),
                                max(1, round(plan.gaps * len(periods)))))
        for index, period in enumerate(periods):
            if rng.random() < plan.late:
                received = _at(rng, period.due + dt.timedelta(days=rng.randint(1, 40)))
            else:
                received = _at(rng, period.end + dt.timedelta(days=rng.randint(2, 20)))
            measures = REFINED_MEASURES[language].format(t=rng.randint(*plan.tonnes))
            entry = _answer_entry(rng, obligation, language, rng.choice(("thorough", "solid")),
                                  measures)
            body = _answer(rng, state, resolution, REFINED, received, entries=[entry],
                           period=period, dated_days=(received.date() - period.end).days)
            if index not in missed:
                drafts.append(Draft((state.id, REFINED, period.key), body))
    others = [s for s in candidates if s not in suppliers]
    justification = NIL_JUSTIFICATIONS[REFINED]
    for state in sorted(rng.sample(others, REFINED_NIL), key=lambda s: s.iso3):
        received = _at(rng, resolution.adopted_on + dt.timedelta(days=rng.randint(30, 540)))
        body = _answer(rng, state, resolution, REFINED, received, entries=[],
                       nil=justification[state_language(state.iso3)])
        drafts.append(Draft((state.id, REFINED, ""), body))
    return drafts


def demo_answers(resolution: Resolution, states: list[MemberState], seed: int) -> list[Draft]:
    """Reports answering the requirements of resolution 2397 other than its general one:
    midterm and final reports, periodic notifications with gaps, nil reports. Drawn from a
    generator of their own, so that the general reports stay the same."""
    asked = {q.code for q in resolution.reporting_requirements}
    if not {STAGED, REFINED} <= asked:
        return []  # a catalogue that does not have them
    rng = random.Random(f"{seed}/{resolution.number}/requirements")
    candidates = [s for s in states if s.iso3 != resolution.regime.target_state]
    return _stage_drafts(rng, resolution, candidates) + _refined_drafts(rng, resolution,
                                                                        candidates)


def demo_records(session: DbSession, seed: int = 1718) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    now = utcnow()
    states = list(session.scalars(select(MemberState).order_by(MemberState.iso3)))
    resolutions = session.scalars(
        select(Resolution).options(
            selectinload(Resolution.obligations), selectinload(Resolution.regime),
            selectinload(Resolution.reporting_requirements).options(
                selectinload(ReportingRequirement.stages),
                selectinload(ReportingRequirement.named_obligations),
            ),
        )
        .order_by(Resolution.number)
    ).all()
    # What each demo report answers: a rerun adds only the reports that are missing.
    existing = {(state_id, answers, occasion) for state_id, answers, occasion in session.execute(
        select(Report.state_id, Report.answers, Report.occasion)
        .where(Report.is_demo.is_(True))
    )}
    records: list[dict[str, Any]] = []
    for resolution in resolutions:
        deadline = resolution.reporting_deadline
        days = resolution.reporting_deadline_days
        general = default_requirement(resolution)
        if deadline is None or days is None or not resolution.obligations or general is None:
            continue
        share, on_time_share = SHARES.get(resolution.number, DEFAULT_SHARE)
        target = resolution.regime.target_state
        candidates = [s for s in states if s.iso3 != target]
        chosen = rng.sample(candidates, round(share * len(candidates)))
        for state in sorted(chosen, key=lambda s: s.iso3):
            if rng.random() < on_time_share:
                offset = -rng.randint(0, days - 1)
            else:
                offset = int(rng.expovariate(1 / 150)) + 1
            received = dt.datetime.combine(deadline + dt.timedelta(days=offset),
                                           dt.time(rng.randint(7, 18), rng.randint(0, 59)),
                                           dt.UTC)
            profile = rng.choice(PROFILES)
            first = _body(rng, state, resolution, received, profile)
            later = received + dt.timedelta(days=rng.randint(20, 300))
            amendment = _body(rng, state, resolution, later, "thorough")
            amended = rng.random() < 0.2
            # Every random draw is made above, so the data are the same on every run.
            if received > now or (state.id, general.code, "") in existing:
                continue
            records.append(first)
            if amended and later < now:
                records.append(amendment)
        if resolution.number == STAGED_RESOLUTION:
            # The whole set is drawn before any is left out, as above.
            records += [d.record for d in demo_answers(resolution, states, seed)
                        if d.key not in existing
                        and dt.datetime.fromisoformat(d.record["received_at"]) <= now]
    return records


# --- the demo enforcement record -------------------------------------------------------

# Ports the demo incidents happen in: (State, place, latitude, longitude).
DEMO_PORTS = (
    ("EGY", "Port Said", 31.265, 32.302), ("MYS", "Port Klang", 2.999, 101.392),
    ("PAN", "Colón", 9.359, -79.901), ("GRC", "Piraeus", 37.942, 23.646),
    ("IDN", "Tanjung Priok", -6.104, 106.880), ("TZA", "Dar es Salaam", -6.825, 39.290),
    ("VNM", "Hai Phong", 20.866, 106.683), ("SEN", "Dakar", 14.683, -17.433),
)
DEMO_VESSELS = ("DEMO STAR", "DEMO HARMONY", "DEMO PEARL", "DEMO HORIZON", "DEMO VENTURE",
                "DEMO CORAL")
SYNTHETIC = "Synthetic demo incident, not a real event: "
LATE_FILING_DAYS = (60, 240)  # how long after the event the late seizure is filed


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


def _incident_body(kind: str, day: dt.date, location: dict[str, Any], summary: str,
                   parties: list[tuple[str, str]], vessels: list[dict[str, Any]],
                   cargo: list[dict[str, Any]], obligations: list[str], reference: str,
                   visibility: str = "public") -> dict[str, Any]:
    return {
        "kind": kind, "occurred_on": day.isoformat(), "occurred_until": None,
        "location": location, "summary": SYNTHETIC + summary, "language": "en",
        "parties": [{"state": state, "role": role} for state, role in parties],
        "vessels": vessels, "cargo": cargo, "obligations": obligations,
        "sources": [{"kind": "other", "reference": reference,
                     "title": "Synthetic demo source (no such document)"}],
        "visibility": visibility,
    }


def _inconsistent_report(rng: random.Random, records: list[dict[str, Any]],
                         resolutions: dict[int, Resolution]
                         ) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A general demo report with one version among `records` and an entry giving
    enforcement figures: (report, entry), or None when there is none."""
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


def demo_incidents(session: DbSession, seed: int, records: list[dict[str, Any]]
                   ) -> list[DemoIncident]:
    """The demo enforcement record (see the module's docstring). One report of `records`
    (a general report with a single version) is changed to declare `seizures: 0` on an
    entry whose obligation a demo seizure by its State engages, within its window (the
    resolution's adoption to the day the report is dated)."""
    rng = random.Random(f"{seed}/incidents")
    today = utcnow().date()
    states = {s.iso3: s for s in session.scalars(select(MemberState))}
    resolutions = {r.number: r for r in session.scalars(select(Resolution))}
    taken: set[str] = set()
    ports = rng.sample([p for p in DEMO_PORTS if p[0] in states], 4)
    names = rng.sample(DEMO_VESSELS, len(DEMO_VESSELS))
    flags = [s for s in sorted(states) if s != "PRK" and s not in {p[0] for p in DEMO_PORTS}]
    flag_a, flag_b, flag_c = rng.sample(flags, 3)
    found: list[DemoIncident] = []

    def when(start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=rng.randint(0, (end - start).days))

    def located(port: tuple[str, str, float, float]) -> dict[str, Any]:
        return {"state": port[0], "place": port[1], "lat": port[2], "lon": port[3]}

    # A designated vessel calls at a port; the port State never reports it.
    port = ports[0]
    day = when(dt.date(2018, 3, 1), dt.date(2020, 12, 31))
    vessel = {"imo": _demo_imo(rng, taken), "name": names[0], "flag": flag_a}
    found.append(DemoIncident(_incident_body(
        "port_call", day, located(port),
        f"the designated vessel {names[0]} called at {port[1]} and left after "
        f"{rng.randint(2, 9)} days; the port State has not reported the call.",
        [(port[0], "port_state"), (flag_a, "flag_state")], [vessel], [], ["2371/6"],
        f"DEMO/PORT-CALL/{day.year}"), _at(rng, day + dt.timedelta(days=rng.randint(20, 90)))))

    # A seizure its inspecting State files long after the event.
    port = ports[1]
    day = when(dt.date(2016, 4, 1), dt.date(2019, 6, 30))
    filed = _at(rng, day + dt.timedelta(days=rng.randint(*LATE_FILING_DAYS)))
    vessel = {"imo": _demo_imo(rng, taken), "name": names[1], "flag": flag_b}
    found.append(DemoIncident(_incident_body(
        "seizure", day, located(port),
        f"arms found under a declared cargo of machinery on {names[1]} at {port[1]} were "
        "seized; the inspecting State filed the incident months later.",
        [(port[0], "inspecting_state"), ("PRK", "origin"), (flag_b, "flag_state")],
        [vessel], [{"description": "Rocket-propelled grenades (demo)", "hs_code": "9306",
                    "quantity": rng.randint(100, 5000), "unit": "pieces", "value_usd": None}],
        ["1874/9", "2270/18"], f"DEMO/SEIZURE/{day.year}/LATE"), filed,
        filed_by=states[port[0]]))

    # A seizure recorded by the Panel: the inspecting State acknowledges it, the flag State
    # does not.
    port = ports[2]
    day = when(dt.date(2018, 1, 15), dt.date(2021, 6, 30))
    recorded = _at(rng, day + dt.timedelta(days=rng.randint(10, 60)))
    acknowledged = _at(rng, recorded.date() + dt.timedelta(days=rng.randint(5, 45)))
    vessel = {"imo": _demo_imo(rng, taken), "name": names[2], "flag": flag_c}
    found.append(DemoIncident(_incident_body(
        "seizure", day, located(port),
        f"{names[2]} was seized and impounded at {port[1]} with refined petroleum loaded "
        "for the DPRK; the Panel recorded the incident.",
        [(port[0], "inspecting_state"), (flag_c, "flag_state"), ("PRK", "destination")],
        [vessel], [{"description": "Refined petroleum products (demo)", "hs_code": "2710",
                    "quantity": rng.randint(500, 4000), "unit": "tonnes", "value_usd": None}],
        ["2397/9"], f"DEMO/SEIZURE/{day.year}/PANEL"), recorded,
        acknowledged=[(states[port[0]], acknowledged)]))

    # A ship-to-ship transfer on the high seas with a DPRK-flagged tanker.
    day = when(dt.date(2018, 1, 1), dt.date(2021, 12, 31))
    vessels = [{"imo": _demo_imo(rng, taken), "name": names[3], "flag": flag_a},
               {"imo": _demo_imo(rng, taken), "name": names[4], "flag": "PRK"}]
    found.append(DemoIncident(_incident_body(
        "ship_to_ship_transfer", day,
        {"state": None, "place": "East China Sea (high seas)",
         "lat": round(rng.uniform(29.5, 31.5), 3), "lon": round(rng.uniform(123.5, 125.0), 3)},
        f"{names[3]} transferred cargo to the DPRK-flagged {names[4]} at night, transponders "
        "off.", [(flag_a, "flag_state"), ("PRK", "flag_state")], vessels, [],
        ["2375/11"], f"DEMO/STS/{day.year}", visibility="restricted"),
        _at(rng, day + dt.timedelta(days=rng.randint(30, 120)))))

    # A seizure by a State whose report declares none in the same window.
    chosen = _inconsistent_report(rng, records, resolutions)
    if chosen is not None:
        report, entry = chosen
        resolution = resolutions[report["resolution"]]
        dated = dt.date.fromisoformat(report["dated"])
        day = when(resolution.adopted_on, dated)
        entry["enforcement"]["seizures"] = 0
        found.append(DemoIncident(_incident_body(
            "seizure", day, {"state": report["state"], "place": None, "lat": None,
                             "lon": None},
            f"goods bound for the DPRK were seized in {report['state']}; its demo report on "
            f"resolution {resolution.number} declares no seizure under "
            f"{entry['obligation']}.",
            [(report["state"], "inspecting_state"), ("PRK", "destination")],
            [], [{"description": "Prohibited goods (demo)", "hs_code": None,
                  "quantity": None, "unit": None, "value_usd": None}],
            [entry["obligation"]], f"DEMO/SEIZURE/{day.year}/UNDECLARED"),
            _at(rng, min(day + dt.timedelta(days=rng.randint(3, 30)), dated))))
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


def _demo_incident_by_source(session: DbSession, marker: str
                             ) -> tuple[Incident, IncidentVersion] | None:
    """The demo incident whose current version cites a demo source naming `marker`."""
    rows = session.execute(
        select(Incident, IncidentVersion)
        .join(IncidentVersion, and_(IncidentVersion.incident_id == Incident.id,
                                    IncidentVersion.number == Incident.current_version))
        .where(Incident.is_demo.is_(True))
        .options(selectinload(IncidentVersion.parties),
                 selectinload(IncidentVersion.obligations))
        .order_by(Incident.id)).all()
    for incident, version in rows:
        if any(marker in str(s.get("reference", "")) for s in version.sources or []):
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
    undeclared = _demo_incident_by_source(session, "/UNDECLARED")
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

    # Shared, unverifiable, about the port State of the unreported port call; no reply yet.
    port_call = _demo_incident_by_source(session, "DEMO/PORT-CALL/")
    if port_call is not None and port_call[1].obligations:
        incident, version = port_call
        port_state = _party(version, "port_state")
        engaged = session.get(Obligation, version.obligations[0].obligation_id)
        if port_state is not None and engaged is not None:
            state, obligation = states[port_state], engaged
            created = now - dt.timedelta(days=4)
            finding = _demo_finding(
                session, state=state, kind=SubjectKind.OBLIGATION,
                assessment=Assessment.UNVERIFIABLE, created_at=created,
                text=f"whether {state.name} implements {obligation.code} cannot be verified: "
                     f"it has not reported the port call of the demo incident "
                     f"{incident.public_id}, and no other source covers its port controls.",
                subject={"obligation": obligation.code},
                evidence=[{"incident": incident.public_id}], obligation=obligation)
            _share(finding, now - dt.timedelta(days=2))
            made += 1

    # A draft, corroborated, on the late-filed seizure.
    late = _demo_incident_by_source(session, "/LATE")
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
def load_demo(session: DbSession, seed: int = 1718) -> LoadSummary:
    """Store the demo reports in the demo namespace (skipping any state and resolution that
    has demo data already), unless there are demo incidents already the demo enforcement
    record, and unless there are demo findings already the demo Panel findings; in one
    transaction audited once."""
    records = demo_records(session, seed)
    has_incidents = session.scalar(select(Incident.id).where(Incident.is_demo.is_(True))
                                   .limit(1)) is not None
    has_findings = session.scalar(select(Finding.id).where(Finding.is_demo.is_(True))
                                  .limit(1)) is not None
    drafts = [] if has_incidents else demo_incidents(session, seed, records)
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
