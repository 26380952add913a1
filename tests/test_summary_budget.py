"""The text budget of state profiles, as pure functions."""

from __future__ import annotations

import pytest

from app.services import summary_budget as budget
from app.services.summary_budget import Budget, bound_entry, bound_profile, shorten
from tests.helpers import prose

ADDRESS = "/api/v1/reports/r123/versions/2"


def entry(**fields):
    base = {"obligation": "2270/6", "status": "implemented", "legal_basis": None,
            "competent_authority": None, "measures": None, "enforcement": None,
            "evidence": [], "justification": None, "notes": None}
    return {**base, **fields}


@pytest.mark.parametrize("text", ["", "short", "x" * 20])
def test_text_within_the_limit_is_unchanged(text):
    assert shorten(text, 20) == text


def test_shortening_cuts_at_a_word_boundary_and_marks_the_cut():
    text = "The customs authority inspected every container in the port"
    cut = shorten(text, 30)
    assert cut == "The customs authority…"
    assert len(cut) <= 30 and text.startswith(cut[:-1])


def test_a_cut_that_falls_on_a_space_keeps_the_whole_last_word():
    assert shorten("alpha beta gamma", 11) == "alpha beta…"


def test_text_without_spaces_is_cut_at_the_limit():
    text = "制裁措置" * 50
    cut = shorten(text, 21)
    assert cut == text[:20] + "…" and len(cut) == 21


@pytest.mark.parametrize("limit", [0, 1, 2, 7, 100, 1499, 1500])
def test_shortened_text_never_exceeds_the_limit(limit):
    assert len(shorten(prose(5000), limit)) <= limit


def test_a_long_answer_is_shortened_with_its_full_length_and_address():
    text = prose(20_000)
    bounded = bound_entry(entry(measures=text, notes="Short note."), ADDRESS, Budget())
    assert len(bounded["measures"]) <= budget.FIELD_CHARS
    assert text.startswith(bounded["measures"][:-1]) and bounded["measures"].endswith("…")
    assert bounded["notes"] == "Short note."
    assert bounded["shortened"] == [
        f"Shortened: measures, 20,000 characters in full; the whole text is at {ADDRESS}"
    ]


def test_answers_within_the_budget_carry_no_note():
    original = entry(legal_basis="Act 2017", evidence=[{"title": "Gazette", "reference": "1"}])
    bounded = bound_entry(original, ADDRESS, Budget())
    assert bounded == {**original, "shortened": []}


def test_evidence_is_listed_up_to_its_budget():
    items = [{"title": prose(1000, i), "reference": f"ref {i}"} for i in range(12)]
    bounded = bound_entry(entry(evidence=items), ADDRESS, Budget())
    assert len(bounded["evidence"]) == budget.EVIDENCE_ITEMS
    assert all(len(e["title"]) <= budget.EVIDENCE_CHARS for e in bounded["evidence"])
    assert bounded["evidence"][0]["reference"] == "ref 0"
    notes = " ".join(bounded["shortened"])
    assert "evidence titles or references" in notes
    assert f"{12 - budget.EVIDENCE_ITEMS} of 12 evidence items" in notes


def test_the_document_budget_caps_the_whole_profile():
    entries = [entry(obligation=f"2270/{i}", measures=prose(20_000, i), notes=prose(20_000, i),
                     evidence=[{"title": prose(500), "reference": prose(1000)}] * 50)
               for i in range(15)]
    items = [{"reported": True, "source": ADDRESS, "entries": entries},
             {"reported": False, "entries": []},
             {"reported": True, "source": "/api/v1/reports/r9/versions/1", "entries": entries}]
    bound_profile(items)
    quoted = 0
    for item in items:
        for e in item["entries"]:
            for field, _ in budget.TEXT_FIELDS:
                quoted += len(e[field] or "")
            quoted += sum(len(x["title"] or "") + len(x["reference"] or "")
                          for x in e["evidence"])
    assert quoted <= budget.DOCUMENT_CHARS
    first, last = items[0]["entries"][0], items[2]["entries"][-1]
    assert first["measures"] and first["notes"]
    # Once the budget is spent, later answers are replaced by the note alone.
    assert last["measures"] is None and last["notes"] is None and last["evidence"] == []
    assert last["shortened"] == [
        "Not quoted here: measures (20,000 characters); notes (20,000 characters); 50 of 50 "
        "evidence items; the whole text is at /api/v1/reports/r9/versions/1"
    ]
    # The entries the state gave are all still there, in order.
    assert [e["obligation"] for e in items[2]["entries"]] == [f"2270/{i}" for i in range(15)]


def test_the_budget_leaves_the_input_unchanged():
    original = entry(measures=prose(5000))
    bound_entry(original, ADDRESS, Budget())
    assert len(original["measures"]) == 5000 and "shortened" not in original
