"""Small builders shared by the tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import MetaData, insert


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def full_entry(obligation: dict) -> dict:
    """An entry giving every element the obligation expects."""
    entry = {
        "obligation": obligation["code"],
        "status": "implemented",
        "legal_basis": "Sanctions Act 2017, section 4",
        "competent_authority": "Customs and Border Service",
        "measures": "Licensing, cargo screening and inspections at all ports.",
        "enforcement": {"inspections": 12, "seizures": 1, "designations": 0,
                        "violations_reported": 0},
        "evidence": [{"title": "Official Gazette", "reference": "OG 2018/12"}],
        "justification": None,
        "notes": None,
    }
    return entry


FORMAT_1_DATA = Path(__file__).parent / "data" / "catalogue-format-1"


def insert_format_1_catalogue(engine) -> None:
    """Write the catalogue as the previous release loaded it (data format 1, with its
    obligation notes), straight into the tables of a database at revision 0001 to 0003.

    The application's models describe the newest schema, so an older database is written
    with the tables as they are there.
    """
    meta = MetaData()
    meta.reflect(engine, only=["regime", "resolution", "obligation", "member_state"])
    t = meta.tables
    states = json.loads((FORMAT_1_DATA / "member_states.json").read_text(encoding="utf-8"))
    doc = json.loads((FORMAT_1_DATA / "regimes" / "1718-dprk.json").read_text(encoding="utf-8"))
    assert doc["format"] == 1 and "note" in t["obligation"].c
    with engine.begin() as conn:
        conn.execute(insert(t["member_state"]), [
            {k: s[k] for k in ("iso3", "name", "un_group", "note")} for s in states["states"]
        ])
        regime_id = conn.execute(
            insert(t["regime"]).values(**doc["regime"], sources=doc["sources"])
        ).inserted_primary_key[0]
        for res in doc["resolutions"]:
            values = {k: v for k, v in res.items() if k != "obligations"}
            values["adopted_on"] = dt.date.fromisoformat(values["adopted_on"])
            res_id = conn.execute(
                insert(t["resolution"]).values(regime_id=regime_id, **values)
            ).inserted_primary_key[0]
            conn.execute(insert(t["obligation"]), [
                {**ob, "resolution_id": res_id, "position": position}
                for position, ob in enumerate(res["obligations"], start=1)
            ])


# --- the largest report validation accepts ---------------------------------------------------

PROSE = (
    "The competent authority reviewed every declaration lodged for goods bound for the region "
    "and compared the consignee with the consolidated list. Customs officers inspected the "
    "containers selected by the risk profile, recorded what they found and kept the records "
    "for five years. Where a shipment raised doubts, the goods were held until the exporter "
    "produced the end-user certificate, and the case was referred to the prosecutor when the "
    "documents did not match the cargo. Banks were reminded of their duty to freeze funds and "
    "to report transactions linked to designated persons without delay. "
)


def prose(length: int, seed: int = 0) -> str:
    """`length` characters of ordinary sentences, ending on a full word."""
    start = (seed * 37) % len(PROSE)
    text = (PROSE[start:] + PROSE * (length // len(PROSE) + 2))[:length]
    return text[:-1] + "." if length > 1 else text


def worst_case_report(obligations: list[dict], state: str, resolution: int,
                      max_bytes: int = 1024 * 1024) -> dict:
    """A report a client may legally submit that is as large as validation accepts: an entry
    for every obligation (as many as fit), every text field at its limit
    (schemas.reports.TEXT_LIMITS), then evidence items at their limits added round-robin while
    the JSON body stays under `max_bytes` (the request body limit, MAX_CONTENT_LENGTH)."""
    import json

    from schemas.reports import MAX_EVIDENCE, TEXT_LIMITS

    def field(name: str, n: int) -> str:
        return prose(TEXT_LIMITS[name], seed=n)

    entries = [
        {
            "obligation": o["code"], "status": "implemented",
            "legal_basis": field("legal_basis", i), "competent_authority": field(
                "competent_authority", i + 1),
            "measures": field("measures", i + 2),
            "enforcement": {"inspections": 12, "seizures": 1, "designations": 0,
                            "violations_reported": 0},
            "evidence": [], "justification": field("justification", i + 3),
            "notes": field("notes", i + 4),
        }
        for i, o in enumerate(obligations)
    ]
    body = {"state": state, "resolution": resolution, "language": "en",
            "reference": prose(TEXT_LIMITS["reference"]), "dated": "2018-03-19",
            "entries": entries}
    while len(json.dumps(body).encode()) > max_bytes:
        entries.pop()
    item = {"title": prose(TEXT_LIMITS["evidence_title"], 5),
            "reference": prose(TEXT_LIMITS["evidence_reference"], 6)}
    room = max_bytes - len(json.dumps(body).encode())
    per_item = len(json.dumps(item).encode()) + 2
    for n in range(min(room // per_item, MAX_EVIDENCE * len(entries))):
        entries[n % len(entries)]["evidence"].append(dict(item))
    return body


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def edit_json(path, change) -> None:
    """Apply `change` to the JSON document in `path`, in place."""
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def obligation_of(client, code: str) -> dict:
    """The catalogue's obligation `code` ("2397/8"), as the API shows it."""
    number = int(code.split("/")[0])
    detail = client.get(f"/api/v1/resolutions/{number}").get_json()
    return next(o for o in detail["obligations"] if o["code"] == code)


def requirement_body(client, state: str, requirement: str, obligations, **fields) -> dict:
    """A report answering `requirement` (a requirement's or a stage's code) with full entries
    for `obligations` (codes)."""
    body = {"state": state, "resolution": int(requirement.split("/")[0]),
            "requirement": requirement, "language": "en",
            "entries": [full_entry(obligation_of(client, c)) for c in obligations]}
    body.update(fields)
    return body
