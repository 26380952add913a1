"""Summaries of a resolution and profiles of a State: the data behind each document, its
fingerprint, and the cache.

A summary is built in three steps: the context (plain data, from the same services as the
compliance matrix, so the numbers agree), the HTML (Jinja templates in `report_templates/`),
and the PDF (WeasyPrint, in `app.rendering`). The fingerprint hashes the context, the
templates and the renderer version: while it is unchanged, the stored PDF is served
(`summary_cache`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from .. import incidents as rules
from ..domain import (
    RATING_BANDS,
    Assessment,
    EntryStatus,
    FindingStatus,
    IncidentKind,
    PartyRole,
    Rating,
    RowStatus,
    UNGroup,
    Visibility,
)
from ..models import (
    Entry,
    Incident,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    MemberState,
    Obligation,
    Regime,
    Report,
    ReportVersion,
    Resolution,
)
from . import compliance, findings, reports, requirements, summary_budget
from . import incidents as incident_service
from .catalogue import check_regime
from .compliance import MatrixRow
from .session import DbSession

WEAKEST = 15
BAR_COLOURS: dict[str, str] = {Rating.COMPLETE: "#0b4f8a", Rating.LARGELY_COMPLETE: "#4f86b8",
               Rating.PARTIALLY_COMPLETE: "#e0a030", Rating.INCOMPLETE: "#c0392b"}
TOP_OBLIGATIONS = 10
#: "Weakest reports" lists only reports below this band: a complete report is not weak.
COMPLETE_FROM = dict(RATING_BANDS)[Rating.COMPLETE]


#: How a document covering several regimes names their bodies of experts.
SEVERAL_EXPERTS = "committees' experts"


def regime_info(session: DbSession, regime: Regime) -> dict[str, Any]:
    """The regime as documents name it, all from the catalogue data: its name, committee,
    short name, body of experts, the title of a resolution summary, and its target State
    (None where every State reports)."""
    target = None
    if regime.target_state is not None:
        name = session.scalar(select(MemberState.name)
                              .where(MemberState.iso3 == regime.target_state))
        target = {"iso3": regime.target_state, "name": name or regime.target_state}
    return {"code": regime.code, "name": regime.name, "committee": regime.committee,
            "short_name": regime.short_name or regime.committee,
            "experts": regime.experts or "experts",
            "summary_title": regime.summary_title or "Reporting summary",
            "finding_title": regime.finding_title or "Finding",
            "target": target}


def _resolution_info(resolution: Resolution) -> dict[str, Any]:
    return {
        "number": resolution.number,
        "symbol": resolution.symbol,
        "title": resolution.title,
        "adopted_on": resolution.adopted_on,
        "reporting_deadline_days": resolution.reporting_deadline_days,
        "deadline": resolution.reporting_deadline,
        "deadline_verified": compliance.deadline_verified(resolution),
        "regime": resolution.regime.code,
    }


def _obligation_tallies(session: DbSession, resolution: Resolution,
                        version_ids: list[int]) -> list[dict[str, Any]]:
    """Per obligation: how many current reports leave it unaddressed or declare it not
    implemented."""
    addressed: Counter[int] = Counter()
    not_implemented: Counter[int] = Counter()
    if version_ids:
        rows = session.execute(
            select(Entry.obligation_id, Entry.status, func.count())
            .where(Entry.version_id.in_(version_ids))
            .group_by(Entry.obligation_id, Entry.status)
        )
        for obligation_id, status, count in rows:
            addressed[obligation_id] += count
            if status == EntryStatus.NOT_IMPLEMENTED:
                not_implemented[obligation_id] += count
    count = len(version_ids)
    return [
        {
            "code": o.code, "paragraph": o.paragraph, "category": o.category,
            "summary": o.summary, "verified": o.verified,
            "unaddressed": count - addressed[o.id],
            "not_implemented": not_implemented[o.id],
        }
        for o in resolution.obligations
    ]


CHART_TICKS = (0, 40, 70, 90, 100)


def _completeness(row: MatrixRow) -> float:
    """The completeness of a row of a report received."""
    assert row.completeness is not None
    return row.completeness


def _chart(reported: list[MatrixRow]) -> dict[str, Any]:
    """Coordinates of an SVG bar chart: one bar per report shown, highest first, with a
    completeness axis from 0 to 100 on the left."""
    bars = sorted(reported, key=lambda r: (-_completeness(r), compliance.name_key(r.name)))
    axis, width, height, top = 34, 680, 160, 10
    plot = width - axis
    step = plot / max(len(bars), 1)

    def y(value: float) -> float:
        return round(top + height * (1 - value / 100), 2)

    return {
        "width": width,
        "height": height + top + 20,
        "axis": axis,
        "top": top,
        "baseline": height + top,
        "count": len(bars),
        "demo": sum(1 for r in bars if r.demo),
        "ticks": [{"value": t, "y": y(t)} for t in CHART_TICKS],
        "bands": [{"label": name, "y": y(limit)} for name, limit in RATING_BANDS if limit],
        "bars": [
            {
                "x": round(axis + i * step, 2),
                "width": round(max(step - 0.6, 0.6), 2),
                "y": y(_completeness(r)),
                "height": round(height * _completeness(r) / 100, 2),
                "fill": BAR_COLOURS.get(r.rating or "", "#777777"),
                "state": r.state,
                "demo": r.demo,
            }
            for i, r in enumerate(bars)
        ],
    }


def _target(rows: list[MatrixRow]) -> dict[str, str] | None:
    """The regime's target state, shown as not expected to report."""
    for row in rows:
        if row.status == RowStatus.NOT_EXPECTED:
            return {"iso3": row.state, "name": row.name}
    return None


def _demo_mix(mix: dict[str, int], incidents: dict[str, int]) -> str | None:
    """`all` when every report and incident shown is demo data, `mixed` when some are,
    None otherwise."""
    if not mix["demo"] and not incidents["demo"]:
        return None
    return "mixed" if mix["real"] or incidents["real"] else "all"


# --- the enforcement record --------------------------------------------------------------

def _incidents_as_of(session: DbSession, before: dt.datetime, *, public_only: bool,
                     resolution_id: int | None = None, state_id: int | None = None
                     ) -> list[tuple[Incident, IncidentVersion]]:
    """Incidents first recorded before the cut-off `before`, each as its latest version
    received by then, the most recent event first: those engaging an obligation of the resolution,
    or naming the State as a party, in that version. `public_only`: public versions only."""
    stmt = (
        select(Incident, IncidentVersion)
        .join(IncidentVersion, (IncidentVersion.incident_id == Incident.id)
              & (IncidentVersion.number == incident_service.latest_number_before(before)))
        .where(Incident.first_recorded_at < before)
    )
    if public_only:
        stmt = stmt.where(IncidentVersion.visibility == Visibility.PUBLIC)
    if resolution_id is not None:
        stmt = stmt.where(exists().where(
            IncidentObligation.version_id == IncidentVersion.id,
            IncidentObligation.obligation_id.in_(
                select(Obligation.id).where(Obligation.resolution_id == resolution_id))))
    if state_id is not None:
        stmt = stmt.where(exists().where(IncidentParty.version_id == IncidentVersion.id,
                                         IncidentParty.state_id == state_id))
    stmt = stmt.order_by(IncidentVersion.occurred_on.desc(), Incident.id.desc()).options(
        *incident_service.incident_options(), *incident_service.version_options())
    return [(row.Incident, row.IncidentVersion) for row in session.execute(stmt)]


#: A document lists at most this many incidents (the most recent events); its counts cover
#: them all. Each incident lists at most this many vessels and sources (each source's
#: reference and title shortened as a report's evidence is): the document stays bounded
#: whatever the record holds.
INCIDENTS_LISTED = 50
VESSELS_LISTED = 10
SOURCES_LISTED = summary_budget.EVIDENCE_ITEMS
SOURCE_CHARS = summary_budget.EVIDENCE_CHARS


def _place(version: IncidentVersion) -> str:
    where = version.location_state.name if version.location_state else "high seas"
    if not version.place:
        return where
    return f"{summary_budget.shorten(version.place, SOURCE_CHARS)}, {where}"


def _short(text: str | None) -> str | None:
    return None if text is None else summary_budget.shorten(text, SOURCE_CHARS)


def _incident_item(incident: Incident, version: IncidentVersion,
                   before: dt.datetime) -> dict[str, Any]:
    """An incident as the summaries show it, with its reporting by the cut-off."""
    fact = incident_service.on_record(incident, version, before)
    targets = incident_service.not_expected(version)
    reported, unreported = rules.reporting_of(fact, targets)
    filer = incident.filed_by_state.iso3 if incident.filed_by_state else None
    names = {p.state.iso3: p.state.name for p in version.parties}
    return {
        "id": incident.public_id,
        "version": version.number,
        "kind": version.kind,
        "occurred_on": version.occurred_on,
        "occurred_until": version.occurred_until,
        "place": _place(version),
        "parties": [{"state": p.state.iso3, "name": p.state.name, "role": p.role}
                    for p in version.parties],
        "vessels": [{"imo": v.imo, "name": v.name}
                    for v in version.vessels[:VESSELS_LISTED]],
        "more_vessels": max(len(version.vessels) - VESSELS_LISTED, 0),
        "obligations": [o.obligation.code for o in version.obligations],
        "sources": [{"kind": s.get("kind"), "reference": _short(s.get("reference")),
                     "title": _short(s.get("title"))}
                    for s in version.sources[:SOURCES_LISTED]],
        "more_sources": max(len(version.sources) - SOURCES_LISTED, 0),
        "recorded_by": incident.recorded_by,
        "filed_by": filer,
        "reporting": [{"state": state, "name": names[state],
                       "how": "filed" if state == filer else "acknowledged",
                       "on": fact.reported_on[state],
                       "days_after_event": rules.days_to_report(fact, state)}
                      for state in reported],
        "unreported": [{"state": state, "name": names[state]} for state in unreported],
        "not_expected": sorted(set(fact.party_states) & targets),
        "restricted": version.visibility == Visibility.RESTRICTED,
        "demo": incident.is_demo,
    }


def _incident_mix(items: list[dict[str, Any]]) -> dict[str, int]:
    return {"real": sum(1 for i in items if not i["demo"]),
            "demo": sum(1 for i in items if i["demo"])}


def _resolution_record(session: DbSession, resolution: Resolution, cutoff: compliance.Cutoff,
                       rows: list[MatrixRow], audience: str) -> dict[str, Any]:
    """The section "Enforcement on record" of a resolution summary."""
    pairs = _incidents_as_of(session, cutoff.before,
                             public_only=audience == Visibility.PUBLIC,
                             resolution_id=resolution.id)
    items = [_incident_item(incident, version, cutoff.before) for incident, version in pairs]
    own = {o.code for o in resolution.obligations}
    for item in items:
        item["engaged"] = [code for code in item["obligations"] if code in own]
    kinds = Counter(item["kind"] for item in items)
    roles = Counter(p["role"] for item in items for p in item["parties"])
    unreported: dict[str, dict[str, Any]] = {}
    for item in items:
        for party in item["unreported"]:
            entry = unreported.setdefault(party["state"], {
                "state": party["state"], "name": party["name"], "incidents": 0, "demo": 0})
            entry["incidents"] += 1
            entry["demo"] += item["demo"]
    names = {r.state: r.name for r in rows}
    # Reports whose declared figures are below the record (of this audience).
    inconsistent = [{"state": row.state, "name": names[row.state], "demo": row.demo, **found}
                    for row in rows for found in row.inconsistencies]
    return {
        "count": len(items),
        "mix": _incident_mix(items),
        "restricted": sum(1 for item in items if item["restricted"]),
        "by_kind": [{"kind": kind, "count": kinds[kind]} for kind in IncidentKind
                    if kinds[kind]],
        "by_role": [{"role": role, "count": roles[role]} for role in PartyRole
                    if roles[role]],
        "unreported": sorted(unreported.values(),
                             key=lambda e: compliance.name_key(e["name"])),
        "incidents": items[:INCIDENTS_LISTED],
        "inconsistent": inconsistent,
    }


def _state_record(session: DbSession, state: MemberState, cutoff: compliance.Cutoff,
                  audience: str) -> dict[str, Any]:
    """The section "Enforcement record" of a state profile: the State's incidents as a
    party, and whether it reported each by the cut-off."""
    pairs = _incidents_as_of(session, cutoff.before,
                             public_only=audience == Visibility.PUBLIC, state_id=state.id)
    items = []
    for incident, version in pairs:
        item = _incident_item(incident, version, cutoff.before)
        item["roles"] = [p["role"] for p in item["parties"] if p["state"] == state.iso3]
        reporting = next((r for r in item["reporting"] if r["state"] == state.iso3), None)
        if state.iso3 in item["not_expected"]:
            item["status"] = "not_expected"
        elif reporting is not None:
            item["status"] = reporting["how"]
            item["reported_on"] = reporting["on"]
            item["days_after_event"] = reporting["days_after_event"]
        else:
            item["status"] = "unreported"
        items.append(item)
    statuses = Counter(item["status"] for item in items)
    return {
        "count": len(items),
        "mix": _incident_mix(items),
        "restricted": sum(1 for item in items if item["restricted"]),
        "filed": statuses["filed"],
        "acknowledged": statuses["acknowledged"],
        "unreported": statuses["unreported"],
        "not_expected": statuses["not_expected"],
        "incidents": items[:INCIDENTS_LISTED],
    }


def _finding_item(view: dict[str, Any]) -> dict[str, Any]:
    """A Panel finding as a document shows it: what it assesses (the claim, where it is a
    report's entry), the assessment and its text, the evidence, and the State's reply
    verbatim (or that there is none); its status where it is not published (restricted
    editions only)."""
    subject = view["subject"]
    status = view["status"]
    return {
        "id": view["id"],
        "state": view["state"],
        "status": status,
        "assessment": view["assessment"],
        "subject": subject["kind"],
        "report": subject["report"],
        "obligation": subject["obligation"],
        "incident": subject["incident"],
        "claim": subject["claim"],
        "text": view["text"],
        "language": view["language"],
        "evidence": view["evidence"],
        "restricted": view["visibility"] == Visibility.RESTRICTED,
        "reply_due": view["reply_due"] if status == FindingStatus.SHARED else None,
        "published_on": (view["published_at"].date()
                         if status == FindingStatus.PUBLISHED and view["published_at"]
                         else None),
        "early_publication_reason": (view["early_publication_reason"]
                                     if status == FindingStatus.PUBLISHED else None),
        "reply": view["reply"],
        "demo": view["demo"],
    }


def _findings_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    statuses = Counter(item["status"] for item in items)
    return {"total": len(items), "draft": statuses[FindingStatus.DRAFT],
            "shared": statuses[FindingStatus.SHARED],
            "published": statuses[FindingStatus.PUBLISHED],
            "restricted": sum(1 for item in items if item["restricted"])}


def _resolution_findings(session: DbSession, resolution: Resolution, as_of: dt.date | None,
                         audience: str) -> dict[str, Any]:
    """The section "Contradicted claims": the Panel's findings that a State's claim on an
    obligation of the resolution is contradicted by the evidence, by State (public: the
    published ones; restricted: drafts and shared ones too, marked)."""
    views = findings.resolution_findings(session, resolution.id, as_of=as_of,
                                         public_only=audience == Visibility.PUBLIC)
    items = [_finding_item(v) for v in views if v["assessment"] == Assessment.CONTRADICTED]
    names = {s.iso3: s.name for s in session.scalars(
        select(MemberState).where(MemberState.iso3.in_({i["state"] for i in items})))}
    by_state: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_state[item["state"]].append(item)
    return {
        "counts": _findings_counts(items),
        "states": [{"iso3": iso3, "name": names[iso3], "findings": by_state[iso3]}
                   for iso3 in sorted(by_state, key=lambda c: compliance.name_key(names[c]))],
    }


def _state_findings(session: DbSession, state: MemberState, as_of: dt.date | None,
                    audience: str) -> list[dict[str, Any]]:
    """The Panel's findings about a State: published and public ones for a public document;
    every one recorded by the day, drafts and shared ones marked, for a restricted one."""
    views = (findings.published_findings(session, state.iso3, as_of=as_of, public_only=True)
             if audience == Visibility.PUBLIC
             else findings.state_findings(session, state.iso3, as_of=as_of))
    return [_finding_item(v) for v in views]


def resolution_context(session: DbSession, number: int, as_of: dt.date | None,
                       audience: str = Visibility.PUBLIC) -> dict[str, Any]:
    resolution, answered, cutoff, rows = compliance.matrix(
        session, number, as_of, public_only=audience == Visibility.PUBLIC)
    reported = [r for r in rows if r.reported]
    # The versions the matrix already found: no second query for them.
    version_ids = [r.version_id for r in reported if r.version_id is not None]
    tallies = _obligation_tallies(session, resolution, version_ids)
    by_group = []
    not_reported = []
    for group in UNGroup:
        members = [r for r in rows if r.un_group == group]
        by_group.append({"group": group,
                         **dataclasses.asdict(compliance.headline(members))})
        missing = [r.name for r in members if r.status == RowStatus.NOT_REPORTED]
        not_reported.append({"group": group, "count": len(missing), "states": missing})
    weak = [r for r in reported if _completeness(r) < COMPLETE_FROM]
    weakest = sorted(weak, key=lambda r: (_completeness(r), compliance.name_key(r.name)))
    headline = compliance.headline(rows)
    sections = _requirement_sections(session, resolution, answered, as_of, audience)
    mix = {"real": headline.real + sum(s["headline"].real for s in sections),
           "demo": headline.demo + sum(s["headline"].demo for s in sections)}
    record = _resolution_record(session, resolution, cutoff, rows, audience)
    contradicted = _resolution_findings(session, resolution, as_of, audience)
    regime = regime_info(session, resolution.regime)
    return {
        "kind": "resolution",
        "audience": audience,
        "regime": regime,
        "regimes": [regime],
        "experts": regime["experts"],
        "finding_title": regime["finding_title"],
        "committee_duties": _committee_duties(resolution),
        "asked": [a.code for a in requirements.everything_answerable(resolution,
                                                                     of_states=True)],
        "contradicted": contradicted,
        "finding_counts": contradicted["counts"],
        "requirements": sections,
        "as_of": cutoff.as_of,
        "demo": _demo_mix(mix, record["mix"]),
        "mix": mix,
        "incident_mix": record["mix"],
        "record": record,
        "resolution": _resolution_info(resolution),
        "requested": resolution.reporting_deadline_days is not None,
        "target": _target(rows),
        "headline": headline,
        "by_group": by_group,
        "not_reported": not_reported,
        "weakest": weakest[:WEAKEST],
        "weak_count": len(weakest),
        "most_unaddressed": sorted(
            (t for t in tallies if t["unaddressed"]), key=lambda t: (-t["unaddressed"], t["code"])
        )[:TOP_OBLIGATIONS],
        "most_not_implemented": sorted(
            (t for t in tallies if t["not_implemented"]),
            key=lambda t: (-t["not_implemented"], t["code"]),
        )[:TOP_OBLIGATIONS],
        "chart": _chart(reported),
        "rows": rows,
    }


def _committee_duties(resolution: Resolution) -> list[dict[str, Any]]:
    """The resolution's requirements addressed to its committee (its reports to the
    Council): listed for what they are, asked of no State."""
    return [{"code": q.code, "kind": q.kind, "paragraph": q.paragraph, "due": q.due,
             "period_days": q.period_days, "applies_to": q.applies_to, "verified": q.verified}
            for q in resolution.reporting_requirements if not q.of_states]


def _requirement_sections(session: DbSession, resolution: Resolution, general: Any,
                          as_of: dt.date | None, audience: str) -> list[dict[str, Any]]:
    """A section for each requirement of the resolution other than its general report (a
    staged one: each stage), with its own figures and the states behind them."""
    sections = []
    for answered in requirements.everything_answerable(resolution, of_states=True):
        if general is not None and answered.code == general.code:
            continue
        _, _, _, rows = compliance.matrix(session, None, as_of, requirement=answered.code,
                                          public_only=audience == Visibility.PUBLIC)
        filed = [r for r in rows if r.reported]
        q = answered.requirement
        sections.append({
            "code": answered.code,
            "kind": answered.kind,
            "stage": answered.stage.name if answered.stage is not None else None,
            "paragraph": q.paragraph,
            "applies_to": q.applies_to,
            "conditional": answered.conditional,
            "binding": q.binding,
            "verified": q.verified,
            "due": answered.due,
            "deadline_verified": answered.deadline_verified,
            "period_days": q.period_days,
            "trigger": q.trigger,
            "headline": compliance.headline(rows),
            "filed": sorted(filed, key=lambda r: compliance.name_key(r.name)),
            "late": [r for r in filed if r.on_time is False],
            "missed": [r for r in filed if r.periods_missed],
        })
    return sections


#: What a state profile shows of each row, beside the resolution and the report.
PROFILE_ROW_FIELDS = ("state", "name", "un_group", "status", "reported", "version",
                      "first_received_at", "on_time", "days_late", "completeness", "rating",
                      "flags", "demo", "report_id", "nil")



def state_context(session: DbSession, iso3: str, as_of: dt.date | None,
                  audience: str = Visibility.PUBLIC, regime: str | None = None
                  ) -> dict[str, Any]:
    """A State's profile over every regime (grouped by regime in the document), or over one
    (`regime`, a code; unknown: 422 naming `regime`)."""
    only = check_regime(session, regime)
    state, cutoff, rows, every = compliance.state_profile(
        session, iso3, as_of, public_only=audience == Visibility.PUBLIC)
    covered = session.scalars(select(Regime).order_by(Regime.code)).all()
    if only is not None:
        covered = [only]
        numbers = {r.number for r in only.resolutions}
        rows = [r for r in rows if r.resolution in numbers]
        every = [r for r in every if r.resolution in numbers]
    report_ids = [r.report_id for r in rows if r.reported]
    histories: dict[str, list[dict[str, Any]]] = defaultdict(list)
    latest: dict[str, Any] = {}
    if report_ids:
        # The history needs each version's particulars only: never its document, its score
        # or its entries, whose size a state controls.
        versions = session.execute(
            select(Report.public_id, ReportVersion.id, ReportVersion.number,
                   ReportVersion.received_at, ReportVersion.dated, ReportVersion.language,
                   ReportVersion.reference, ReportVersion.completeness, ReportVersion.rating)
            .join(Report, Report.id == ReportVersion.report_id)
            .where(Report.public_id.in_(report_ids), ReportVersion.received_at < cutoff.before)
            .order_by(ReportVersion.report_id, ReportVersion.number)
        ).all()
        for version in versions:
            histories[version.public_id].append({
                "version": version.number, "received_at": version.received_at,
                "dated": version.dated, "language": version.language,
                "reference": version.reference, "completeness": version.completeness,
                "rating": version.rating,
            })
            latest[version.public_id] = version
    # Entries of the version current as of the date only, however long the history.
    entries: dict[int, list[Entry]] = defaultdict(list)
    if latest:
        for entry in session.scalars(
            select(Entry).where(Entry.version_id.in_([v.id for v in latest.values()]))
            .options(selectinload(Entry.obligation))
            .order_by(Entry.version_id, Entry.position)
        ):
            entries[entry.version_id].append(entry)
    resolutions = {
        r.number: r for r in session.scalars(
            select(Resolution).options(selectinload(Resolution.obligations),
                                       selectinload(Resolution.regime))
        )
    }
    items = []
    for row in rows:
        resolution = resolutions[row.resolution]
        # A profile item is a dict: the text budget shortens its entries in place.
        item: dict[str, Any] = {name: getattr(row, name) for name in PROFILE_ROW_FIELDS}
        item.update(resolution=_resolution_info(resolution), history=[], entries=[],
                    unaddressed=[])
        shown = latest.get(row.report_id) if row.report_id is not None else None
        if shown is not None and row.report_id is not None:
            current = entries[shown.id]
            item["history"] = histories[row.report_id]
            item["source"] = f"/api/v1/reports/{row.report_id}/versions/{shown.number}"
            item["language"] = shown.language
            item["entries"] = [{**reports.entry_view(e), "summary": e.obligation.summary,
                                "verified": e.obligation.verified}
                               for e in current]
            addressed = {e.obligation_id for e in current}
            item["unaddressed"] = [
                {"code": o.code, "summary": o.summary, "verified": o.verified}
                for o in resolution.obligations if o.id not in addressed
            ]
        items.append(item)
    summary_budget.bound_profile(items)
    counts: Counter[str] = Counter()
    for row in rows:
        if row.status in (RowStatus.REPORTED, RowStatus.NOT_REPORTED) and (
            row.deadline is not None
        ):
            counts["requested"] += 1
            counts["reported"] += row.reported
            counts["late"] += bool(row.reported and row.on_time is False)
    # Every report shown: those on each requirement, and any on a resolution asking none.
    reported = [r for r in [*every, *(r for r in rows if r.requirement is None)] if r.reported]
    mix = {"real": sum(1 for r in reported if not r.demo),
           "demo": sum(1 for r in reported if r.demo)}
    record = _state_record(session, state, cutoff, audience)
    # Each finding on an entry of a report shown goes next to that entry (the claim it
    # assesses); the others in their own list.
    state_findings = _state_findings(session, state, as_of, audience)
    for finding in state_findings:
        # Who assessed, in the words of the regime of the obligation assessed.
        number = (finding["obligation"] or "").split("/", 1)[0]
        found = resolutions.get(int(number)) if number.isdigit() else None
        finding["experts"] = found.regime.experts if found is not None else None
        finding["finding_title"] = found.regime.finding_title if found is not None else None
    placed: set[str] = set()
    for item in items:
        quoted = {e["obligation"] for e in item["entries"]}
        item["findings"] = {}
        for finding in state_findings:
            if (finding["report"] is not None and finding["report"] == item["report_id"]
                    and finding["obligation"] in quoted):
                item["findings"].setdefault(finding["obligation"], []).append(finding)
                placed.add(finding["id"])
    regimes = [regime_info(session, r) for r in covered
               if any(item["resolution"]["regime"] == r.code for item in items)]
    return {
        "kind": "state",
        "audience": audience,
        "regime": regimes[0] if only is not None and regimes else None,
        "regimes": regimes,
        "experts": regimes[0]["experts"] if len(regimes) == 1 else SEVERAL_EXPERTS,
        "finding_title": (regimes[0]["finding_title"] if len(regimes) == 1
                          else f"Finding of the {SEVERAL_EXPERTS}"),
        "findings": {"counts": _findings_counts(state_findings),
                     "other": [f for f in state_findings if f["id"] not in placed]},
        "finding_counts": _findings_counts(state_findings),
        "as_of": cutoff.as_of,
        "demo": _demo_mix(mix, record["mix"]),
        "mix": mix,
        "incident_mix": record["mix"],
        "record": record,
        "state": {"iso3": state.iso3, "name": state.name, "un_group": state.un_group},
        "not_expected": sorted({r["resolution"]["regime"] for r in items
                                if r["status"] == RowStatus.NOT_EXPECTED}),
        "unverified_deadlines": any(r["resolution"]["deadline_verified"] is False
                                    for r in items),
        "headline": {"requested": counts["requested"], "reported": counts["reported"],
                     "late": counts["late"]},
        "requirements": [_requirement_item(row, resolutions[row.resolution]) for row in every],
        "resolutions": items,
    }


def _requirement_item(row: MatrixRow, resolution: Resolution) -> dict[str, Any]:
    answered = requirements.find_answered(resolution, row.requirement or "")
    assert answered is not None
    return {
        "code": answered.code, "kind": answered.kind, "symbol": resolution.symbol,
        "regime": resolution.regime.code,
        "stage": answered.stage.name if answered.stage is not None else None,
        "paragraph": answered.requirement.paragraph,
        "applies_to": answered.requirement.applies_to,
        "deadline": row.deadline, "deadline_verified": row.deadline_verified,
        "status": row.status, "rating": row.rating, "nil": row.nil, "demo": row.demo,
        "first_received_at": row.first_received_at, "days_late": row.days_late,
        "completeness": row.completeness, "flags": row.flags,
        "periods_ended": row.periods_ended, "periods_filed": row.periods_filed,
        "missed_periods": list(row.missed_periods or ()), "events": row.events,
    }


TEMPLATES = {"resolution": "resolution_summary.html", "state": "state_profile.html"}


def build_context(session: DbSession, kind: str, subject: str | int,
                  as_of: dt.date | None, audience: str = Visibility.PUBLIC,
                  regime: str | None = None) -> dict[str, Any]:
    """The data of a resolution summary (`subject` a number) or a state profile (ISO3, over
    every regime or one), for an audience: `public` (no restricted incident anywhere) or
    `restricted` (everything)."""
    if kind == "resolution":
        return resolution_context(session, int(subject), as_of, audience)
    return state_context(session, str(subject), as_of, audience, regime)


# --- fingerprint and cache ---------------------------------------------------------------

def _json_default(value: Any) -> Any:
    """What `json` cannot encode itself: dates, and the typed rows and counts (as the dict of
    their fields, so a row hashes the same whatever its type)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(context: dict[str, Any], media_type: str, templates_digest: str,
                renderer_version: str) -> str:
    canonical = json.dumps(context, sort_keys=True, default=_json_default, ensure_ascii=False)
    digest = hashlib.sha256()
    for part in (media_type, templates_digest, renderer_version, canonical):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
