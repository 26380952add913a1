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
