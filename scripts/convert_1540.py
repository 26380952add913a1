"""Build app/catalogue/data/regimes/1540-wmd-non-proliferation.json from the compiled
reference file for resolution 1540 (2004) and the resolutions that extended its Committee.

    python scripts/convert_1540.py /path/to/1540_catalogue.json

The reference and the bundled file are close; what this changes (docs: the data README):
- `title` is the reference's `title_short` (the bundled `title` is a short description, not
  the official title);
- `meeting_note` stays only where the meeting number is not confirmed; where the reference's
  note says where a confirmed number was read, that note goes at the end of `note`;
- `obligations_note` (resolutions with no obligation of their own) goes at the end of `note`;
- `reporting_verified` becomes `reporting_deadline_verified` and, as no reporting paragraph
  was read, `reporting_paragraph_verified` is false;
- a requirement whose `applies_to` says it is not a Member State report (the Committee's own
  duties) gets `addressed_to: "committee"`, every other one `"states"`;
- the reference's `regime` object gives the regime's fields; its notes are kept as `notes`
  and its `notes_sources` as part of `sources`.
Every obligation and requirement keeps its `verified`, `source` and `verification_note`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = (Path(__file__).resolve().parent.parent / "app" / "catalogue" / "data" / "regimes"
       / "1540-wmd-non-proliferation.json")

OBLIGATION_FIELDS = ("code", "paragraph", "category", "summary", "binding", "weight", "expects",
                     "verified", "source", "verification_note")
REQUIREMENT_FIELDS = ("code", "paragraph", "kind", "due_days_after_adoption", "due", "stages",
                      "period_days", "trigger", "applies_to", "addressed_to", "binding",
                      "verified", "source", "verification_note", "obligations")


def meeting_confirmed(note: str | None) -> bool:
    if note is None:
        return True
    lowered = note.lower()
    return "not confirmed" not in lowered and "not found" not in lowered


def addressed_to(requirement: dict) -> str:
    return "committee" if "not a Member State report" in requirement["applies_to"] else "states"


def convert(ref: dict) -> dict:
    info = ref["regime"]
    meta = ref["meta"]
    counts = meta["provenance"]["counts"]
    resolutions = []
    for res in ref["resolutions"]:
        note_parts = [res["note"]]
        if res.get("obligations_note"):
            note_parts.append(res["obligations_note"])
        meeting_note = res.get("meeting_note")
        if meeting_confirmed(meeting_note) and meeting_note:
            note_parts.append(f"Meeting: {meeting_note}")
            meeting_note = None
        requirements = []
        for req in res["reporting_requirements"]:
            out = {k: req.get(k) for k in REQUIREMENT_FIELDS if k != "addressed_to"}
            out["addressed_to"] = addressed_to(req)
            requirements.append({k: out[k] for k in REQUIREMENT_FIELDS})
        resolutions.append({
            "number": res["number"],
            "year": res["year"],
            "symbol": res["symbol"],
            "adopted_on": res["adopted_on"],
            "meeting": res["meeting"],
            "meeting_note": meeting_note,
            "title": res["title_short"],
            "reporting_deadline_days": res["reporting_deadline_days"],
            "reporting_deadline_verified": bool(res["reporting_verified"]),
            "reporting_paragraph": res["reporting_paragraph"],
            "reporting_paragraph_verified": False,
            "reporting_note": res.get("reporting_note"),
            "sources": res["sources"],
            "note": " ".join(note_parts),
            "obligations": [{k: ob[k] for k in OBLIGATION_FIELDS} for ob in res["obligations"]],
            "reporting_requirements": requirements,
        })
    return {
        "format": 2,
        "regime": {
            "code": info["code"],
            "name": "Non-proliferation of weapons of mass destruction",
            "committee": info["name"],
            "short_name": info["short_name"],
            "experts": "group of experts",
            "summary_title": "Reporting summary",
            "finding_title": "Finding of the group of experts",
            "target_state": None,
            "description": (
                "Resolution 1540 (2004), adopted under Chapter VII, decides that every State "
                "shall refrain from supporting non-State actors seeking nuclear, chemical or "
                "biological weapons or their means of delivery, adopt and enforce laws "
                "against it, and keep effective domestic controls; every State is asked to "
                "report to the 1540 Committee on the steps it has taken. Later resolutions "
                "extended the Committee's mandate and renewed the calls for reports."),
            "notes": info["notes"],
        },
        "sources": [
            f"Compiled from public sources ({meta['provenance']['compiled']}): {meta['scope']}",
            meta["provenance"]["method"],
            f"{counts['verified']} of {counts['obligations']} obligations and "
            f"{counts['verified_requirements']} of {counts['reporting_requirements']} reporting "
            "requirements verified. Requirements addressed to the 1540 Committee (its reports "
            "to the Security Council) are listed with `addressed_to: committee`: no State is "
            "asked for them.",
            "Regime notes rest on: " + "; ".join(info["notes_sources"]) + ".",
        ],
        "resolutions": resolutions,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    ref = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    OUT.write_text(json.dumps(convert(ref), indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
