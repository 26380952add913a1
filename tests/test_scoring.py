"""Completeness scoring (method "completeness-1"): worked examples and properties.

Pure unit tests: they use nothing but ``app.scoring`` (no application, no database).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import scoring
from app.scoring import (
    ELEMENTS,
    ENFORCEMENT_FIGURES,
    METHOD_VERSION,
    RATING_BANDS,
    STATUSES,
    EntryData,
    ObligationSpec,
    ScoreResult,
    SetAside,
    has_element,
    is_placeholder,
    rating_for,
    score_report,
)

ENFORCING = ("legal_basis", "competent_authority", "measures", "enforcement")
NO_ENFORCEMENT = ("legal_basis", "competent_authority", "measures")

# Resolution 2397 (2017), as in the catalogue: eight obligations of weight 2, total weight 16.
RES_2397 = [
    ObligationSpec("2397/4", 2, ENFORCING),
    ObligationSpec("2397/5", 2, ENFORCING),
    ObligationSpec("2397/6", 2, ENFORCING),
    ObligationSpec("2397/7", 2, ENFORCING),
    ObligationSpec("2397/8", 2, ENFORCING),
    ObligationSpec("2397/9", 2, ENFORCING),
    ObligationSpec("2397/14", 2, NO_ENFORCEMENT),
    ObligationSpec("2397/u1", 2, NO_ENFORCEMENT),
]

LAW = "Foreign Trade (DPRK Sanctions) Order 2018, art. 3"
AUTHORITY = "Customs Directorate, Ministry of Finance"
MEASURES = "Licensing requirement and cargo screening at all ports"
FIGURES = {"inspections": 12, "seizures": 1, "designations": 0, "violations_reported": 1}
EVIDENCE = ({"title": "Customs circular 7/2018", "reference": "https://example.gov/c7-2018"},)


def full_entry(code: str, status: str = "implemented") -> EntryData:
    return EntryData(
        obligation=code,
        status=status,
        legal_basis=LAW,
        competent_authority=AUTHORITY,
        measures=MEASURES,
        enforcement=dict(FIGURES),
        evidence=EVIDENCE,
    )


def by_code(result: ScoreResult) -> dict[str, scoring.ObligationScore]:
    return {item.code: item for item in result.obligations}


# --- public surface ------------------------------------------------------------------------


def test_constants() -> None:
    assert METHOD_VERSION == "completeness-1"
    assert STATUSES == ("implemented", "partially_implemented", "not_implemented", "not_applicable")
    assert ELEMENTS == ("legal_basis", "competent_authority", "measures", "enforcement", "evidence")
    assert ENFORCEMENT_FIGURES == ("inspections", "seizures", "designations", "violations_reported")
    assert RATING_BANDS == (
        ("complete", 90),
        ("largely_complete", 70),
        ("partially_complete", 40),
        ("incomplete", 0),
    )
    assert isinstance(scoring.PLACEHOLDERS, frozenset)
    assert "none" not in scoring.PLACEHOLDERS


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level modules imported by absolute imports, and modules of `app` imported by
    relative ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    absolute: set[str] = set()
    relative: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            absolute.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.level == 1, "nothing from outside app"
                relative.add(node.module or "")
            else:
                absolute.add((node.module or "").split(".")[0])
    return absolute, relative


def test_module_is_pure() -> None:
    """Scoring imports the standard library and the domain vocabulary, which imports only
    the standard library."""
    absolute, relative = _imports(Path(scoring.__file__))
    assert absolute <= set(sys.stdlib_module_names) | {"__future__"}, absolute
    assert relative <= {"domain"}, relative
    absolute, relative = _imports(Path(scoring.__file__).with_name("domain.py"))
    assert absolute <= set(sys.stdlib_module_names) | {"__future__"}, absolute
    assert not relative, relative


def test_dataclasses_are_frozen() -> None:
    entry = EntryData("2397/4", "implemented")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.status = "not_implemented"  # type: ignore[misc]
    spec = RES_2397[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.weight = 1  # type: ignore[misc]


# --- worked examples ------------------------------------------------------------------------


def test_full_report_scores_exactly_100() -> None:
    result = score_report(RES_2397, [full_entry(spec.code) for spec in RES_2397])
    assert result.completeness == 100.0
    assert result.rating == "complete"
    assert result.method == METHOD_VERSION
    assert result.unaddressed == []
    assert [item.code for item in result.obligations] == [spec.code for spec in RES_2397]
    for item in result.obligations:
        assert item.points == 2.0
        assert item.max_points == 2
        assert item.missing == []
        assert item.warnings == []


def test_empty_report_scores_exactly_0() -> None:
    result = score_report(RES_2397, [])
    assert result.completeness == 0.0
    assert result.rating == "incomplete"
    assert result.unaddressed == [spec.code for spec in RES_2397]
    first = result.obligations[0]
    assert first.status is None
    assert first.points == 0.0
    assert first.max_points == 2
    assert first.missing == ["status", *ENFORCING]
    assert first.warnings == []
    assert by_code(result)["2397/u1"].missing == ["status", *NO_ENFORCEMENT]


def test_no_obligations_scores_0() -> None:
    result = score_report([], [full_entry("2397/4")])
    assert result.completeness == 0.0
    assert result.obligations == []
    assert result.unaddressed == []


def test_mixed_report_hand_computed() -> None:
    # 2397/4  implemented, law + authority + measures, no figures: 2 * (1+3)/(1+4) = 1.6
    # 2397/14 not_implemented, nothing else:                      2 * 1/(1+3)     = 0.5
    # 2397/u1 not_applicable with a justification:                full weight     = 2
    # 2397/5  no entry:                                                             0
    # completeness = 100 * 4.1 / 8 = 51.25 -> 51.3 (half-up, not half-to-even)
    obligations = [RES_2397[0], RES_2397[6], RES_2397[7], RES_2397[1]]
    entries = [
        EntryData(
            "2397/4",
            "implemented",
            legal_basis=LAW,
            competent_authority=AUTHORITY,
            measures=MEASURES,
        ),
        EntryData("2397/14", "not_implemented"),
        EntryData(
            "2397/u1",
            "not_applicable",
            justification="The State has no fisheries agreements with the DPRK and no fleet.",
        ),
    ]
    result = score_report(obligations, entries)
    assert result.completeness == 51.3
    assert result.rating == "partially_complete"
    assert result.unaddressed == ["2397/5"]
    scores = by_code(result)
    assert scores["2397/4"].points == 1.6
    assert scores["2397/4"].missing == ["enforcement"]
    assert scores["2397/4"].warnings == ["enforcement figures absent"]
    assert scores["2397/14"].points == 0.5
    assert scores["2397/14"].missing == list(NO_ENFORCEMENT)
    assert scores["2397/14"].warnings == []
    assert scores["2397/u1"].points == 2.0
    assert scores["2397/u1"].missing == []
    assert scores["2397/u1"].warnings == []
    assert scores["2397/5"].points == 0.0
    assert scores["2397/5"].status is None


def test_whole_resolution_2397_example() -> None:
    # Six obligations fully answered (12 points), 2397/9 with law and authority only
    # (2 * 3/5 = 1.2), 2397/u1 unaddressed: 100 * 13.2 / 16 = 82.5 -> largely_complete.
    entries = [full_entry(spec.code) for spec in RES_2397 if spec.code not in {"2397/9", "2397/u1"}]
    entries.append(
        EntryData("2397/9", "partially_implemented", legal_basis=LAW, competent_authority=AUTHORITY)
    )
    result = score_report(RES_2397, entries)
    assert result.completeness == 82.5
    assert result.rating == "largely_complete"
    assert result.unaddressed == ["2397/u1"]
    assert by_code(result)["2397/9"].points == 1.2
    assert by_code(result)["2397/9"].missing == ["measures", "enforcement"]
    assert by_code(result)["2397/9"].warnings == ["enforcement figures absent"]


def test_docs_example_mixed_report() -> None:
    # docs/scoring.md, example 2: 2 + 1.6 + 1.2 + 0.4 + 2 + 2 + 0.5 + 0 = 9.7; 9.7 / 16 -> 60.6
    entries = [
        full_entry("2397/4"),
        EntryData("2397/5", "implemented", LAW, AUTHORITY, MEASURES),
        EntryData("2397/6", "partially_implemented", "N/A", AUTHORITY, MEASURES),
        EntryData("2397/7", "not_implemented"),
        full_entry("2397/8"),
        EntryData("2397/9", "not_applicable", justification="Landlocked; no ports, no registry."),
        EntryData("2397/14", "not_applicable"),
    ]
    result = score_report(RES_2397, entries)
    assert [item.points for item in result.obligations] == [2.0, 1.6, 1.2, 0.4, 2.0, 2.0, 0.5, 0.0]
    assert result.completeness == 60.6
    assert result.rating == "partially_complete"
    assert by_code(result)["2397/6"].warnings == [
        "implemented without legal basis",
        "placeholder text in legal_basis",
        "enforcement figures absent",
    ]


def test_docs_example_landlocked_state() -> None:
    # docs/scoring.md, example 3: 3 x 2 + 5 x 1.6 = 14 -> 87.5; figures for 2397/4 -> 90.0
    justified = "Landlocked; no ports, no fishing fleet."
    entries = [
        EntryData(code, "not_applicable", justification=justified)
        for code in ("2397/9", "2397/14", "2397/u1")
    ]
    entries += [
        EntryData(code, "implemented", LAW, AUTHORITY, MEASURES)
        for code in ("2397/4", "2397/5", "2397/6", "2397/7", "2397/8")
    ]
    result = score_report(RES_2397, entries)
    assert result.completeness == 87.5
    assert result.rating == "largely_complete"
    entries[3] = dataclasses.replace(entries[3], enforcement={"inspections": 3, "seizures": 0})
    result = score_report(RES_2397, entries)
    assert result.completeness == 90.0
    assert result.rating == "complete"


def test_points_are_rounded_to_two_decimals() -> None:
    spec = ObligationSpec("X/1", 2, ("legal_basis", "measures"))
    result = score_report([spec], [EntryData("X/1", "not_implemented")])
    assert result.obligations[0].points == 0.67  # 2 * 1/3
    assert result.completeness == 33.3
    spec = ObligationSpec("X/2", 1, ("legal_basis", "measures"))
    result = score_report([spec], [EntryData("X/2", "implemented", legal_basis=LAW)])
    assert result.obligations[0].points == 0.67  # 1 * 2/3
    assert result.completeness == 66.7


def test_obligation_without_expected_elements() -> None:
    spec = ObligationSpec("X/1", 1, ())
    result = score_report([spec], [EntryData("X/1", "not_implemented")])
    assert result.completeness == 100.0
    assert result.obligations[0].missing == []
    assert score_report([spec], []).obligations[0].missing == ["status"]


# --- statuses -------------------------------------------------------------------------------


def test_not_applicable_with_justification_gets_full_points() -> None:
    entry = EntryData(
        "2397/4", "not_applicable", justification="No refinery, port or oil trade; landlocked."
    )
    score = score_report([RES_2397[0]], [entry]).obligations[0]
    assert score.points == 2.0
    assert score.missing == []
    assert score.warnings == []


@pytest.mark.parametrize("justification", [None, "", "   ", "N/A", "-", "see above"])
def test_not_applicable_without_justification(justification: str | None) -> None:
    entry = EntryData("2397/4", "not_applicable", justification=justification)
    result = score_report([RES_2397[0]], [entry])
    score = result.obligations[0]
    assert score.points == 0.4  # 2 * 1/5: the status only
    assert result.completeness == 20.0
    assert score.missing == [*ENFORCING, "justification"]
    expected = ["enforcement figures absent", "not_applicable without a justification"]
    if justification is not None:
        expected.insert(0, "placeholder text in justification")
    assert score.warnings == expected


def test_not_applicable_without_justification_still_counts_elements() -> None:
    entry = EntryData("2397/u1", "not_applicable", legal_basis=LAW, competent_authority=AUTHORITY)
    score = score_report([RES_2397[7]], [entry]).obligations[0]
    assert score.points == 1.5  # 2 * (1+2)/(1+3)
    assert score.missing == ["measures", "justification"]
    assert score.warnings == ["not_applicable without a justification"]


def test_not_implemented_counts_like_any_status() -> None:
    spec = RES_2397[6]
    honest = EntryData(
        "2397/14",
        "not_implemented",
        legal_basis=LAW,
        competent_authority=AUTHORITY,
        measures="Legislation in preparation; no licensing scheme yet.",
    )
    implemented = dataclasses.replace(honest, status="implemented")
    assert score_report([spec], [honest]).completeness == 100.0
    assert score_report([spec], [implemented]).completeness == 100.0
    bare = score_report([spec], [EntryData("2397/14", "not_implemented")])
    assert bare.completeness == 25.0
    assert bare.obligations[0].warnings == []


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_earns_the_status_unit(status: str) -> None:
    spec = ObligationSpec("X/1", 1, ("measures",))
    result = score_report([spec], [EntryData("X/1", status)])
    assert result.completeness == 50.0
    assert result.obligations[0].status == status


# --- placeholders and elements --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "\t\n",
        "-",
        "--",
        "—",
        "–",
        "...",
        "…",
        "?",
        "???",
        ".",
        "- -",
        "N/A",
        "n/a",
        "N/A.",
        "NA",
        "n.a",
        "n.a.",
        "N.A.",
        "Not available",
        "TBD",
        "tbd.",
        "TBA",
        "To be determined",
        "to be confirmed.",
        "TBC",
        "See above",
        "see above.",
        "As above",
        "idem",
        "Ditto",
        "Same as above",
        "XXX",
        "x",
        "Pending",
        "pending...",
        "TODO",
        "placeholder",
        "Lorem ipsum",
        "  TBD  ",
        "see  above",
    ],
)
def test_placeholders(text: str | None) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "None",
        "none",
        "None required",
        "0",
        "Act 12/2018",
        "Ministry of Foreign Affairs",
        "See Act 12/2018, s. 4",
        "Pending legislation: Sanctions Bill 2024 before Parliament",
        "NATO",
        "xx",
    ],
)
def test_not_placeholders(text: str) -> None:
    assert not is_placeholder(text)


def test_placeholder_text_is_not_an_element() -> None:
    entry = EntryData(
        "2397/14", "implemented", legal_basis="N/A", competent_authority="-", measures="TBD"
    )
    for element in NO_ENFORCEMENT:
        assert not has_element(entry, element)
    score = score_report([RES_2397[6]], [entry]).obligations[0]
    assert score.points == 0.5
    assert score.missing == list(NO_ENFORCEMENT)


def test_enforcement_zero_counts_as_present() -> None:
    zero = EntryData("X", "implemented", enforcement={"inspections": 0})
    assert has_element(zero, "enforcement")
    all_zero = EntryData("X", "implemented", enforcement=dict.fromkeys(ENFORCEMENT_FIGURES, 0))
    assert has_element(all_zero, "enforcement")
    all_none = EntryData("X", "implemented", enforcement=dict.fromkeys(ENFORCEMENT_FIGURES))
    assert not has_element(all_none, "enforcement")
    assert not has_element(EntryData("X", "implemented", enforcement={}), "enforcement")
    assert not has_element(EntryData("X", "implemented"), "enforcement")
    other_key = EntryData("X", "implemented", enforcement={"fines": 3})  # type: ignore[dict-item]
    assert not has_element(other_key, "enforcement")


def test_enforcement_zero_scores() -> None:
    spec = RES_2397[0]
    entry = dataclasses.replace(full_entry("2397/4"), enforcement={"seizures": 0})
    score = score_report([spec], [entry]).obligations[0]
    assert score.points == 2.0
    assert score.warnings == []


def test_evidence() -> None:
    def entry(*items: dict[str, str | None]) -> EntryData:
        return EntryData("X", "implemented", evidence=tuple(items))

    assert not has_element(entry(), "evidence")
    assert not has_element(entry({"title": None, "reference": None}), "evidence")
    assert not has_element(entry({"title": "-", "reference": "N/A"}), "evidence")
    assert not has_element(entry({}), "evidence")
    assert has_element(entry({"title": "Customs circular 7/2018", "reference": None}), "evidence")
    assert has_element(entry({"title": None, "reference": "OJ L 345/2018"}), "evidence")
    assert has_element(entry({"title": "TBD"}, {"title": None, "reference": "Doc 4"}), "evidence")

    spec = ObligationSpec("X", 1, ("measures", "evidence"))
    with_evidence = score_report([spec], [entry({"title": "Annual report 2023"})])
    assert with_evidence.obligations[0].missing == ["measures"]
    assert with_evidence.completeness == 66.7


def test_has_element_rejects_unknown_element() -> None:
    with pytest.raises(ValueError):
        has_element(EntryData("X", "implemented"), "justification")


# --- warnings -------------------------------------------------------------------------------


def test_warnings_exact_and_ordered() -> None:
    entry = EntryData(
        "2397/4",
        "implemented",
        legal_basis="N/A",
        competent_authority=None,
        measures="TBD",
        justification="-",
        notes="",
    )
    score = score_report([RES_2397[0]], [entry]).obligations[0]
    assert score.warnings == [
        "implemented without legal basis",
        "implemented without competent authority",
        "placeholder text in legal_basis",
        "placeholder text in measures",
        "placeholder text in justification",
        "placeholder text in notes",
        "enforcement figures absent",
    ]
    assert score.missing == list(ENFORCING)


def test_partially_implemented_warns_about_legal_basis() -> None:
    entry = EntryData("2397/u1", "partially_implemented", competent_authority=AUTHORITY)
    score = score_report([RES_2397[7]], [entry]).obligations[0]
    assert score.warnings == ["implemented without legal basis"]


def test_not_implemented_does_not_warn_about_legal_basis() -> None:
    score = score_report([RES_2397[0]], [EntryData("2397/4", "not_implemented")]).obligations[0]
    assert score.warnings == ["enforcement figures absent"]


def test_placeholder_notes_warn_without_costing_points() -> None:
    entry = dataclasses.replace(full_entry("2397/4"), notes="see above")
    score = score_report([RES_2397[0]], [entry]).obligations[0]
    assert score.points == 2.0
    assert score.warnings == ["placeholder text in notes"]


def test_no_enforcement_warning_when_not_expected() -> None:
    entry = EntryData(
        "2397/14", "implemented", legal_basis=LAW, competent_authority=AUTHORITY, measures=MEASURES
    )
    assert score_report([RES_2397[6]], [entry]).obligations[0].warnings == []


# --- rating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        (None, "not_reported"),
        (0.0, "incomplete"),
        (39.9, "incomplete"),
        (40.0, "partially_complete"),
        (69.9, "partially_complete"),
        (70.0, "largely_complete"),
        (89.9, "largely_complete"),
        (90.0, "complete"),
        (100.0, "complete"),
    ],
)
def test_rating_bands(value: float | None, rating: str) -> None:
    assert rating_for(value) == rating


# --- entries matching -----------------------------------------------------------------------


def test_unknown_obligations_are_ignored() -> None:
    entries = [full_entry("2397/4"), full_entry("2375/13"), full_entry("nonsense")]
    result = score_report(RES_2397[:2], entries)
    assert result.completeness == 50.0
    assert result.unaddressed == ["2397/5"]
    assert [item.code for item in result.obligations] == ["2397/4", "2397/5"]


def test_duplicate_entries_first_is_used() -> None:
    spec = RES_2397[0]
    first = EntryData("2397/4", "not_implemented")
    second = full_entry("2397/4")
    assert score_report([spec], [first, second]).completeness == 20.0
    assert score_report([spec], [second, first]).completeness == 100.0
    assert score_report([spec], [first, second]).obligations[0].status == "not_implemented"


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValueError):
        score_report([RES_2397[0]], [EntryData("2397/4", "done")])


def test_unknown_expected_element_is_rejected() -> None:
    with pytest.raises(ValueError):
        score_report([ObligationSpec("X", 1, ("legal_basis", "photos"))], [])


# --- from_mapping and as_dict ---------------------------------------------------------------


def test_from_mapping() -> None:
    data = {
        "id": 17,
        "obligation": "2397/4",
        "status": "implemented",
        "legal_basis": LAW,
        "enforcement": {"inspections": 3, "seizures": None},
        "evidence": [{"title": "Circular", "reference": None}],
        "notes": "Figures for 2023.",
    }
    entry = EntryData.from_mapping(data)
    assert entry == EntryData(
        obligation="2397/4",
        status="implemented",
        legal_basis=LAW,
        enforcement={"inspections": 3, "seizures": None},
        evidence=({"title": "Circular", "reference": None},),
        notes="Figures for 2023.",
    )
    assert isinstance(entry.evidence, tuple)
    minimal = EntryData.from_mapping({"obligation": "2397/5", "status": "not_implemented"})
    assert minimal == EntryData("2397/5", "not_implemented")
    assert (
        EntryData.from_mapping({"obligation": "A", "status": "x", "evidence": None}).evidence == ()
    )


def test_as_dict_is_json_ready() -> None:
    entries = [full_entry("2397/4"), EntryData("2397/5", "not_applicable")]
    result = score_report(RES_2397[:3], entries)
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"completeness", "rating", "method", "obligations", "unaddressed",
                         "superseded", "not_in_force"}
    assert data["method"] == "completeness-1"
    assert data["superseded"] == data["not_in_force"] == []
    assert data["unaddressed"] == ["2397/6"]
    assert data["obligations"][1] == {
        "code": "2397/5",
        "status": "not_applicable",
        "points": 0.4,
        "max_points": 2,
        "missing": [*ENFORCING, "justification"],
        "warnings": ["enforcement figures absent", "not_applicable without a justification"],
        "in_force": True,
        "superseded_by": None,
    }
    assert data["obligations"][2]["status"] is None
    # 100 * (2 + 0.4) / 6 = 40.0
    assert data["completeness"] == 40.0
    assert data["rating"] == "partially_complete"


# --- properties -----------------------------------------------------------------------------

PLACEHOLDER_TEXTS = ["", " ", "-", "—", "...", "…", "?", "N/A", "n.a.", "TBD", "See above.", "x"]
REAL_TEXTS = [LAW, AUTHORITY, MEASURES, "None required", "Act 5/2019", "0"]

texts = st.one_of(
    st.none(),
    st.sampled_from(PLACEHOLDER_TEXTS),
    st.sampled_from(REAL_TEXTS),
    st.text(max_size=12),
)
real_texts = st.sampled_from(REAL_TEXTS)
figure_values = st.one_of(st.none(), st.integers(min_value=0, max_value=1000))
enforcements = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional=dict.fromkeys(ENFORCEMENT_FIGURES, figure_values)),
)
evidence_items = st.fixed_dictionaries({"title": texts, "reference": texts})


@st.composite
def obligation_lists(draw: st.DrawFn) -> list[ObligationSpec]:
    count = draw(st.integers(min_value=1, max_value=20))
    return [
        ObligationSpec(
            code=f"9999/{index}",
            weight=draw(st.integers(min_value=1, max_value=2)),
            expects=tuple(draw(st.lists(st.sampled_from(ELEMENTS), unique=True))),
        )
        for index in range(count)
    ]


@st.composite
def entries_for(draw: st.DrawFn, code: str) -> EntryData:
    return EntryData(
        obligation=code,
        status=draw(st.sampled_from(STATUSES)),
        legal_basis=draw(texts),
        competent_authority=draw(texts),
        measures=draw(texts),
        enforcement=draw(enforcements),
        evidence=tuple(draw(st.lists(evidence_items, max_size=3))),
        justification=draw(texts),
        notes=draw(texts),
    )


@st.composite
def reports(draw: st.DrawFn) -> tuple[list[ObligationSpec], list[EntryData]]:
    """Obligations plus at most one entry per obligation (and some for unknown codes)."""
    obligations = draw(obligation_lists())
    entries = [draw(entries_for(spec.code)) for spec in obligations if draw(st.booleans())]
    entries += draw(st.lists(entries_for("0000/unknown"), max_size=2))
    return obligations, entries


def fill(entry: EntryData, field: str) -> EntryData:
    """The entry with one more element (or justification) supplied."""
    if field in ("legal_basis", "competent_authority", "measures", "justification"):
        return dataclasses.replace(entry, **{field: "Regulation 2018/12 as amended"})
    if field == "enforcement":
        figures = dict(entry.enforcement or {})
        figures["inspections"] = (figures.get("inspections") or 0) + 1
        return dataclasses.replace(entry, enforcement=figures)
    assert field == "evidence"
    item = {"title": "Customs circular 7/2018", "reference": None}
    return dataclasses.replace(entry, evidence=(*entry.evidence, item))


def assert_not_lower(before: ScoreResult, after: ScoreResult) -> None:
    assert after.completeness >= before.completeness
    for old, new in zip(before.obligations, after.obligations, strict=True):
        assert old.code == new.code
        assert new.points >= old.points


@settings(max_examples=200, deadline=None)
@given(reports())
def test_property_bounds(report: tuple[list[ObligationSpec], list[EntryData]]) -> None:
    obligations, entries = report
    result = score_report(obligations, entries)
    assert 0.0 <= result.completeness <= 100.0
    assert result.rating == rating_for(result.completeness)
    assert result.method == METHOD_VERSION
    assert [item.code for item in result.obligations] == [spec.code for spec in obligations]
    for spec, item in zip(obligations, result.obligations, strict=True):
        assert item.max_points == spec.weight
        assert 0.0 <= item.points <= spec.weight
        assert (item.status is None) == (item.code in result.unaddressed)


@settings(max_examples=200, deadline=None)
@given(obligation_lists(), st.data())
def test_property_full_report_scores_100(
    obligations: list[ObligationSpec], data: st.DataObject
) -> None:
    entries = []
    for spec in obligations:
        status = data.draw(st.sampled_from(STATUSES))
        entry = full_entry(spec.code, status)
        if status == "not_applicable":
            entry = dataclasses.replace(entry, justification=data.draw(real_texts))
        entries.append(entry)
    result = score_report(obligations, data.draw(st.permutations(entries)))
    assert result.completeness == 100.0
    assert result.rating == "complete"
    assert result.unaddressed == []
    for spec, item in zip(obligations, result.obligations, strict=True):
        assert item.points == spec.weight
        assert item.missing == []


@settings(max_examples=200, deadline=None)
@given(obligation_lists(), st.lists(entries_for("0000/unknown"), max_size=3))
def test_property_empty_report_scores_0(
    obligations: list[ObligationSpec], strangers: list[EntryData]
) -> None:
    result = score_report(obligations, strangers)
    assert result.completeness == 0.0
    assert result.rating == "incomplete"
    assert result.unaddressed == [spec.code for spec in obligations]
    assert all(item.points == 0.0 for item in result.obligations)


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_property_adding_an_entry_never_lowers(
    report: tuple[list[ObligationSpec], list[EntryData]], data: st.DataObject
) -> None:
    obligations, entries = report
    before = score_report(obligations, entries)
    if before.unaddressed:
        code = data.draw(st.sampled_from(before.unaddressed))
        new = data.draw(entries_for(code))
        position = data.draw(st.integers(min_value=0, max_value=len(entries)))
        after = score_report(obligations, [*entries[:position], new, *entries[position:]])
        assert_not_lower(before, after)
        assert after.completeness > before.completeness or before.completeness == 100.0
    # An entry for an obligation outside the resolution changes nothing.
    stranger = data.draw(entries_for("0000/other"))
    assert score_report(obligations, [*entries, stranger]) == before


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_property_filling_an_element_never_lowers(
    report: tuple[list[ObligationSpec], list[EntryData]], data: st.DataObject
) -> None:
    obligations, entries = report
    if not entries:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    field = data.draw(st.sampled_from((*ELEMENTS, "justification")))
    changed = list(entries)
    changed[index] = fill(entries[index], field)
    assert_not_lower(score_report(obligations, entries), score_report(obligations, changed))


@settings(max_examples=200, deadline=None)
@given(reports(), st.data())
def test_property_entry_order_does_not_matter(
    report: tuple[list[ObligationSpec], list[EntryData]], data: st.DataObject
) -> None:
    # Each obligation has at most one entry here; with duplicates the first one counts.
    obligations, entries = report
    shuffled = data.draw(st.permutations(entries))
    assert score_report(obligations, shuffled) == score_report(obligations, entries)


@settings(max_examples=200, deadline=None)
@given(reports())
def test_property_deterministic(report: tuple[list[ObligationSpec], list[EntryData]]) -> None:
    obligations, entries = report
    first = score_report(obligations, entries)
    second = score_report(list(obligations), list(entries))
    assert first == second
    assert first.as_dict() == second.as_dict()
    assert json.dumps(first.as_dict(), sort_keys=True) == json.dumps(
        second.as_dict(), sort_keys=True
    )


def test_obligations_not_in_force_are_named_and_cost_nothing() -> None:
    """A superseded obligation, or one not yet in force, is listed with no points and no
    maximum and says why; the rest of the score is what it would be without it."""
    entries = [full_entry("2397/4")]
    aside = [SetAside("2397/5", superseded_by="2399/1", on="2019-01-01", verified=False),
             SetAside("2397/6", in_force_from="2030-01-01")]
    with_aside = score_report(RES_2397[:1], entries, aside)
    without = score_report(RES_2397[:1], entries)
    assert with_aside.completeness == without.completeness == 100.0
    data = with_aside.as_dict()
    assert data["superseded"] == ["2397/5"]
    assert data["not_in_force"] == ["2397/5", "2397/6"]
    superseded = data["obligations"][1]
    assert (superseded["points"], superseded["max_points"], superseded["in_force"]) == (0, 0,
                                                                                       False)
    assert superseded["superseded_by"] == {"code": "2399/1", "on": "2019-01-01",
                                           "verified": False}
    assert "superseded by 2399/1 on 2019-01-01" in superseded["warnings"][0]
    assert "not verified" in superseded["warnings"][0]
    assert "in force from 2030-01-01" in data["obligations"][2]["warnings"][0]
    assert data["unaddressed"] == []
