"""Synthetic demo reports, so that a newcomer sees a realistic matrix at once.

Every report made here is marked `is_demo` in the database, and every output built from it
says so. The shares of states reporting follow the published counts in magnitude (for example
102 reports on 2270 and 89 on 2321 by late 2017, 8 of 192 states on time for 2094); the
states, dates and contents are random (seeded, so the same data each time).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..auth import COMMAND_LINE, Principal
from ..domain import EntryStatus, Role
from ..models import (
    AuditEvent,
    Entry,
    IdempotencyKey,
    MemberState,
    Report,
    ReportVersion,
    Resolution,
)
from ..models.types import utcnow
from . import audit, use_case
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


def demo_records(session: DbSession, seed: int = 1718) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    now = utcnow()
    states = session.scalars(select(MemberState).order_by(MemberState.iso3)).all()
    resolutions = session.scalars(
        select(Resolution).options(selectinload(Resolution.obligations),
                                  selectinload(Resolution.regime))
        .order_by(Resolution.number)
    ).all()
    existing = {(r.state_id, r.resolution_id)
                for r in session.scalars(select(Report).where(Report.is_demo.is_(True)))}
    records: list[dict[str, Any]] = []
    for resolution in resolutions:
        deadline = resolution.reporting_deadline
        days = resolution.reporting_deadline_days
        if deadline is None or days is None or not resolution.obligations:
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
            if received > now or (state.id, resolution.id) in existing:
                continue
            records.append(first)
            if amended and later < now:
                records.append(amendment)
    return records


@use_case
def load_demo(session: DbSession, seed: int = 1718) -> int:
    """Store the demo reports in the demo namespace (skipping any state and resolution that
    has demo data already), in one transaction audited once."""
    records = demo_records(session, seed)
    if not records:
        return 0
    audit.record(session, action="demo.load", actor=COMMAND_LINE.name,
                 details={"seed": seed, "versions": len(records)})
    return backfill(session, DEMO_PRINCIPAL, records, demo=True).versions


@dataclass(frozen=True)
class UnloadSummary:
    reports: int
    versions: int
    entries: int


@use_case
def unload_demo(session: DbSession) -> UnloadSummary:
    """Remove every demo report with its versions and entries, and nothing else, in one
    transaction. Real reports, authorities and the audit trail of real actions stay."""
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
    if reports:
        audit.record(session, action="demo.unload", actor=COMMAND_LINE.name,
                     details={"reports": reports, "versions": versions})
    return UnloadSummary(reports=reports, versions=versions, entries=entries)
