"""Small builders shared by the tests."""

from __future__ import annotations


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
