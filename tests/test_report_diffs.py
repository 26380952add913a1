"""What changed between two versions of a report: the comparison itself (`app.diffs`), and
`GET /api/v1/reports/{id}/versions/{older}/diff/{newer}` as a reader uses it."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from app import diffs
from app.diffs import VersionView, diff_versions, text_segments
from tests.helpers import auth

# --- the comparison --------------------------------------------------------------------------

TEXT = st.lists(st.sampled_from([*"ab c.\n\t世界!?", "word ", "the ", "  "]),
                max_size=30).map("".join)
OPTIONAL_TEXT = st.none() | TEXT
FIGURE = st.none() | st.integers(min_value=0, max_value=5)
EVIDENCE = st.lists(st.fixed_dictionaries({"title": st.sampled_from(["Gazette", "Act", None]),
                                           "reference": st.sampled_from(["1", "2", None])}),
                    max_size=3)
CODES = [f"2397/{n}" for n in range(1, 9)]


@st.composite
def entry_views(draw, code: str) -> dict:
    figures = {name: draw(FIGURE) for name in diffs.FIGURES}
    return {
        "obligation": code,
        "status": draw(st.sampled_from(["implemented", "partially_implemented",
                                        "not_applicable"])),
        "legal_basis": draw(OPTIONAL_TEXT),
        "competent_authority": draw(OPTIONAL_TEXT),
        "measures": draw(OPTIONAL_TEXT),
        "enforcement": figures if any(v is not None for v in figures.values()) else None,
        "evidence": draw(EVIDENCE),
        "justification": draw(OPTIONAL_TEXT),
        "notes": draw(OPTIONAL_TEXT),
    }


@st.composite
def version_views(draw) -> VersionView:
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=6))
    return VersionView(
        entries=[draw(entry_views(code)) for code in codes],
        dated=draw(st.sampled_from([None, "2018-03-19", "2018-04-02"])),
        language=draw(st.sampled_from(["en", "fr"])),
        reference=draw(st.sampled_from([None, "S/AC.49/2018/1"])),
        nil=draw(st.booleans()),
        justification=draw(OPTIONAL_TEXT),
    )


def _rebuilt(segments: list[dict]) -> tuple[str, str]:
    old = "".join(s["text"] for s in segments if s["op"] in ("equal", "delete"))
    new = "".join(s["text"] for s in segments if s["op"] in ("equal", "insert"))
    return old, new


@settings(max_examples=200, deadline=None)
@given(version_views())
def test_a_version_compared_with_itself_is_unchanged(version):
    diff = diff_versions(version, copy.deepcopy(version))
    assert diff["identical"] is True
    assert diff["fields"] == [] and diff["nil"] is None
    assert [e["change"] for e in diff["entries"]] == ["unchanged"] * len(version.entries)
    assert all(not e["fields"] and not e["enforcement"] and not e["evidence"]["added"]
               and not e["evidence"]["removed"] for e in diff["entries"])


@settings(max_examples=300, deadline=None)
@given(OPTIONAL_TEXT, OPTIONAL_TEXT)
def test_segments_rebuild_both_texts_exactly(old, new):
    segments, granularity = text_segments(old, new)
    assert _rebuilt(segments) == (old or "", new or "")
    assert granularity == "word"
    assert all(s["text"] for s in segments)  # no empty segment
    assert all(a["op"] != b["op"] for a, b in zip(segments, segments[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | TEXT)
def test_words_and_sentences_cut_a_text_without_losing_a_character(text):
    assert "".join(diffs.words(text)) == text
    assert "".join(diffs.sentences(text)) == text
    assert all(diffs.words(text)) and all(diffs.sentences(text))


@settings(max_examples=200, deadline=None)
@given(version_views(), version_views())
def test_changes_partition_the_obligations_and_rebuild_every_text(older, newer):
    diff = diff_versions(older, newer)
    old_codes = [e["obligation"] for e in older.entries]
    new_codes = [e["obligation"] for e in newer.entries]
    listed = [e["obligation"] for e in diff["entries"]]
    # Every obligation of either version once: the newer's order, then the removed ones.
    assert listed == new_codes + [c for c in old_codes if c not in new_codes]
    kinds = {e["obligation"]: e["change"] for e in diff["entries"]}
    assert {c for c, k in kinds.items() if k == "added"} == set(new_codes) - set(old_codes)
    assert {c for c, k in kinds.items() if k == "removed"} == set(old_codes) - set(new_codes)
    both = set(old_codes) & set(new_codes)
    assert {c for c, k in kinds.items() if k in ("changed", "unchanged")} == both
    assert diff["counts"] == {k: sum(1 for v in kinds.values() if v == k)
                              for k in ("added", "removed", "changed", "unchanged")}
    before = {e["obligation"]: e for e in older.entries}
    after = {e["obligation"]: e for e in newer.entries}
    for item in diff["entries"]:
        code = item["obligation"]
        if item["change"] == "added":
            assert item["entry"] == after[code]
        elif item["change"] == "removed":
            assert item["entry"] == before[code]
        else:
            assert item["entry"] is None
            for change in item["fields"]:
                name = change["field"]
                assert change["old"] == before[code][name] != after[code][name] == change["new"]
                if change["segments"] is not None:
                    assert _rebuilt(change["segments"]) == (change["old"] or "",
                                                            change["new"] or "")
            changed = {c["field"] for c in item["fields"]}
            same = {n for n in ("status", *diffs.ENTRY_TEXT_FIELDS)
                    if before[code][n] == after[code][n]}
            assert not changed & same and changed | same == {"status",
                                                             *diffs.ENTRY_TEXT_FIELDS}
            assert (item["change"] == "unchanged") == (
                not item["fields"] and not item["enforcement"]
                and not item["evidence"]["added"] and not item["evidence"]["removed"])
    assert diff["identical"] == (not diff["fields"] and diff["nil"] is None and all(
        e["change"] == "unchanged" for e in diff["entries"]))


def test_figures_and_evidence_are_compared_item_by_item():
    old = {"obligation": "2397/9", "status": "implemented", "legal_basis": None,
           "competent_authority": None, "measures": "Ports inspected.", "notes": None,
           "justification": None,
           "enforcement": {"inspections": 12, "seizures": 1, "designations": None,
                           "violations_reported": 0},
           "evidence": [{"title": "Gazette", "reference": "OG 1"},
                        {"title": "Act", "reference": "A 2"}]}
    new = {**old, "enforcement": None,
           "evidence": [{"title": "Act", "reference": "A 2"},
                        {"title": "Circular", "reference": "C 3"}]}
    item = diffs.diff_entry(old, new)
    assert item["change"] == "changed" and item["fields"] == []
    assert item["enforcement"] == [
        {"figure": "inspections", "old": 12, "new": None},
        {"figure": "seizures", "old": 1, "new": None},
        {"figure": "violations_reported", "old": 0, "new": None},
    ]
    assert item["evidence"] == {"added": [{"title": "Circular", "reference": "C 3"}],
                                "removed": [{"title": "Gazette", "reference": "OG 1"}]}
    # Reordering the evidence is not a change.
    reordered = {**old, "evidence": list(reversed(old["evidence"]))}
    assert diffs.diff_entry(old, reordered)["change"] == "unchanged"


def test_words_changed_across_a_long_text_are_shown_as_those_words():
    common = ["the", "of", "and", "to", "in"]
    words = [f"{common[i % 5]} measure{i}" for i in range(1340)]
    old = " ".join(words) + "."
    changed = list(words)
    for i, word in ((3, "vessel"), (670, "cargo"), (1330, "port")):
        changed[i] = f"{common[i % 5]} {word}"
    new = " ".join(changed) + "."
    assert 19_000 < len(old) <= 20_000 and len(new) <= 20_000
    segments, granularity = text_segments(old, new)
    assert granularity == "word"
    assert _rebuilt(segments) == (old, new)
    assert [s for s in segments if s["op"] != "equal"] == [
        {"op": "delete", "text": "measure3 "}, {"op": "insert", "text": "vessel "},
        {"op": "delete", "text": "measure670 "}, {"op": "insert", "text": "cargo "},
        {"op": "delete", "text": "measure1330 "}, {"op": "insert", "text": "port "},
    ]


def test_texts_too_costly_to_compare_word_by_word_are_compared_coarser(monkeypatch):
    old = "".join(f"Item {i} alpha beta. Item {i} delta epsilon. " for i in range(20))
    new = old.replace("epsilon", "zeta")
    assert text_segments(old, new)[1] == "word"
    monkeypatch.setattr(diffs, "PAIRS_PER_TEXT_MAX", 100)
    assert diffs.matching_pairs(diffs.words(old), diffs.words(new)) > 100
    segments, granularity = text_segments(old, new)
    assert granularity == "sentence"
    assert _rebuilt(segments) == (old, new)
    assert {"op": "delete", "text": "Item 1 delta epsilon. "} in segments
    assert {"op": "equal", "text": "Item 2 alpha beta. "} in segments
    # No budget left for this diff: the whole changed middle.
    segments, granularity = text_segments(old, new, diffs.Budget(remaining=0))
    assert granularity == "whole" and _rebuilt(segments) == (old, new)
    assert segments[0] == {"op": "equal", "text": "Item 0 alpha beta. Item 0 delta "}
    assert [s["op"] for s in segments] == ["equal", "delete", "insert"]


# --- through the API -------------------------------------------------------------------------

MEASURES_BEFORE = ("Licensing, cargo screening and inspections at all ports.")
MEASURES_AFTER = ("Licensing, cargo screening, vessel tracking and inspections at all ports.")


def _diff_url(report: dict, older: int, newer: int) -> str:
    return f"{report['links']['self']}/versions/{older}/diff/{newer}"


def _amend(client, token, report, body, etag):
    r = client.put(report["links"]["self"], json=body, headers=auth(token, **{"If-Match": etag}))
    assert r.status_code == 200, r.get_json()
    return r


def test_an_amendment_changing_one_entry_shows_exactly_that(client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    body = report_body("FRA", 2397)
    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert created.status_code == 201
    report = created.get_json()
    target = body["entries"][2]
    assert target["measures"] == MEASURES_BEFORE
    amended = copy.deepcopy(body)
    amended["entries"][2]["measures"] = MEASURES_AFTER
    amended["entries"][2]["enforcement"]["seizures"] = 4
    _amend(client, fra, report, amended, created.headers["ETag"])

    r = client.get(_diff_url(report, 1, 2), headers=auth(fra))
    assert r.status_code == 200, r.get_json()
    assert r.headers["ETag"]
    diff = r.get_json()
    assert diff["report"] == report["id"]
    assert diff["older"]["version"] == 1 and diff["newer"]["version"] == 2
    assert diff["identical"] is False and diff["fields"] == [] and diff["nil"] is None
    assert [e["obligation"] for e in diff["entries"]] == [e["obligation"]
                                                          for e in body["entries"]]
    assert diff["counts"] == {"added": 0, "removed": 0, "changed": 1,
                              "unchanged": len(body["entries"]) - 1}
    changed = [e for e in diff["entries"] if e["change"] == "changed"]
    assert changed == [{
        "obligation": target["obligation"],
        "change": "changed",
        "entry": None,
        "fields": [{
            "field": "measures", "old": MEASURES_BEFORE, "new": MEASURES_AFTER,
            "granularity": "word",
            "segments": [
                {"op": "equal", "text": "Licensing, cargo "},
                {"op": "delete", "text": "screening "},
                {"op": "insert", "text": "screening, vessel tracking "},
                {"op": "equal", "text": "and inspections at all ports."},
            ],
        }],
        "enforcement": [{"figure": "seizures", "old": 1, "new": 4}],
        "evidence": {"added": [], "removed": []},
    }]

    # The same request again: the same representation, and 304 for its entity tag.
    again = client.get(_diff_url(report, 1, 2),
                       headers=auth(fra, **{"If-None-Match": r.headers["ETag"]}))
    assert again.status_code == 304


def test_added_and_removed_entries_and_report_fields(client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    body = report_body("FRA", 2397)
    first, rest = body["entries"][0], body["entries"][1:]
    body["entries"] = rest
    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    report = created.get_json()
    amended = {**copy.deepcopy(body), "entries": [first, *copy.deepcopy(rest[1:])],
               "dated": "2018-04-02", "reference": None}
    _amend(client, fra, report, amended, created.headers["ETag"])
    diff = client.get(_diff_url(report, 1, 2), headers=auth(fra)).get_json()
    assert [(e["obligation"], e["change"]) for e in diff["entries"]] == (
        [(first["obligation"], "added")]
        + [(e["obligation"], "unchanged") for e in rest[1:]]
        + [(rest[0]["obligation"], "removed")])
    assert diff["entries"][0]["entry"]["measures"] == first["measures"]
    assert diff["entries"][-1]["entry"]["obligation"] == rest[0]["obligation"]
    assert diff["fields"] == [
        {"field": "dated", "old": "2018-03-19", "new": "2018-04-02", "segments": None,
         "granularity": None},
        {"field": "reference", "old": body["reference"], "new": None, "segments": None,
         "granularity": None},
    ]


def test_who_may_read_a_difference_and_bad_version_numbers(client, make_token, report_body,
                                                           panel):
    fra = make_token("reporter", "FRA")
    deu = make_token("reporter", "DEU")
    body = report_body("FRA", 2397)
    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    report = created.get_json()
    _amend(client, fra, report, {**body, "dated": "2018-03-20"}, created.headers["ETag"])
    url = _diff_url(report, 1, 2)

    assert client.get(url, headers=auth(panel)).status_code == 200
    # Another state's reporter: the report does not exist for it.
    other = client.get(url, headers=auth(deu))
    assert other.status_code == 404
    assert other.headers["Content-Type"] == "application/problem+json"
    assert client.get(url).status_code == 401

    for older, newer in ((2, 2), (2, 1)):
        bad = client.get(_diff_url(report, older, newer), headers=auth(fra))
        assert bad.status_code == 422, (older, newer)
        assert bad.get_json()["errors"][0]["pointer"] == "older"
    for older, newer in ((1, 3), (0, 2)):
        missing = client.get(_diff_url(report, older, newer), headers=auth(fra))
        assert missing.status_code == 404, (older, newer)
        assert "no version" in missing.get_json()["detail"]
