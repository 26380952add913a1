"""Completeness scoring of national implementation reports (method "completeness-1").

Completeness says how fully a report *addresses* the obligations of a resolution; it is not a
verdict on compliance. The method is a pure function of (obligations, entries): this module
imports nothing from the web application or the database layer, only the standard library
and the domain vocabulary (``app.domain``).
The method is described for national officials, with worked examples, in ``docs/scoring.md``.

Outline of the method:

* each obligation has a weight ``w`` and a list of ``n`` expected elements;
* an obligation with no entry earns 0 points;
* an addressed obligation earns one unit for its status and one unit per expected element
  present, so ``points = w * units / (1 + n)``;
* ``not_applicable`` with a real justification earns the full weight ``w``;
* completeness is ``100 * sum(points) / sum(weights)``, computed exactly with fractions and
  rounded half-up to one decimal place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from .domain import (
    IMPLEMENTING_STATUSES,
    RATING_BANDS,
    TEXT_ELEMENTS,
    Element,
    EntryStatus,
    Figure,
    Rating,
)

METHOD_VERSION = "completeness-1"
STATUSES = tuple(EntryStatus)
ELEMENTS = tuple(Element)
ENFORCEMENT_FIGURES = tuple(Figure)
NOT_REPORTED = Rating.NOT_REPORTED

#: Text that stands in for an answer without being one. Compared case-insensitively after
#: stripping surrounding whitespace and trailing punctuation, with inner whitespace collapsed.
#: "none" is deliberately absent: "None required" or "None" can be a real answer.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "n/a",
        "na",
        "n.a",
        "n.a.",
        "not available",
        "tbd",
        "tba",
        "to be determined",
        "to be confirmed",
        "tbc",
        "see above",
        "as above",
        "idem",
        "ditto",
        "same as above",
        "xxx",
        "x",
        "pending",
        "todo",
        "placeholder",
        "lorem ipsum",
    }
)

_PLACEHOLDER_CHECKED_FIELDS = (*TEXT_ELEMENTS, "justification", "notes")

WARNING_NO_LEGAL_BASIS = "implemented without legal basis"
WARNING_NO_AUTHORITY = "implemented without competent authority"
WARNING_PLACEHOLDER = "placeholder text in {field}"
WARNING_NO_ENFORCEMENT = "enforcement figures absent"
WARNING_NO_JUSTIFICATION = "not_applicable without a justification"


@dataclass(frozen=True)
class ObligationSpec:
    """What the catalogue says about one obligation, as far as scoring needs it."""

    code: str
    weight: int
    expects: tuple[str, ...]


@dataclass(frozen=True)
class SetAside:
    """An obligation the report is about but that was not in force when the version was
    received: superseded by a later paragraph (`superseded_by`, `on`, whether that fact is
    `verified`), or not yet in force (`in_force_from`). It is not scored."""

    code: str
    superseded_by: str | None = None
    on: str | None = None
    verified: bool | None = None
    in_force_from: str | None = None

    def reason(self) -> str:
        if self.superseded_by is not None:
            checked = "" if self.verified else " (a supersession not verified in the text)"
            return (f"superseded by {self.superseded_by} on {self.on}{checked}: not in force "
                    "when this version was received, so not scored")
        return (f"in force from {self.in_force_from}, after this version was received: "
                "not scored")


@dataclass(frozen=True)
class EntryData:
    """One entry of a report version: what the State says about one obligation."""

    obligation: str
    status: str
    legal_basis: str | None = None
    competent_authority: str | None = None
    measures: str | None = None
    enforcement: Mapping[str, int | None] | None = None
    evidence: tuple[Mapping[str, str | None], ...] = ()
    justification: str | None = None
    notes: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> EntryData:
        """Build an entry from a mapping shaped like the API's entry JSON.

        Missing keys take their defaults, unknown keys are ignored, ``None`` evidence counts as
        no evidence, and the evidence list becomes a tuple.
        """
        enforcement = data.get("enforcement")
        evidence = data.get("evidence") or ()
        return cls(
            obligation=data["obligation"],
            status=data["status"],
            legal_basis=data.get("legal_basis"),
            competent_authority=data.get("competent_authority"),
            measures=data.get("measures"),
            enforcement=dict(enforcement) if enforcement is not None else None,
            evidence=tuple(dict(item) for item in evidence),
            justification=data.get("justification"),
            notes=data.get("notes"),
        )


@dataclass(frozen=True)
class ObligationScore:
    """The score of one obligation and what would raise it."""

    code: str
    status: str | None
    points: float
    max_points: int
    missing: list[str]
    warnings: list[str]
    set_aside: SetAside | None = None

    def as_dict(self) -> dict[str, Any]:
        aside = self.set_aside
        return {
            "code": self.code,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "in_force": aside is None,
            "superseded_by": (
                {"code": aside.superseded_by, "on": aside.on, "verified": aside.verified}
                if aside is not None and aside.superseded_by is not None else None
            ),
        }


@dataclass(frozen=True)
class ScoreResult:
    """The completeness of one report version with its per-obligation breakdown."""

    completeness: float
    rating: str
    method: str
    obligations: list[ObligationScore]
    unaddressed: list[str]

    @property
    def superseded(self) -> list[str]:
        return [o.code for o in self.obligations
                if o.set_aside is not None and o.set_aside.superseded_by is not None]

    @property
    def not_in_force(self) -> list[str]:
        return [o.code for o in self.obligations if o.set_aside is not None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "completeness": self.completeness,
            "rating": self.rating,
            "method": self.method,
            "obligations": [item.as_dict() for item in self.obligations],
            "unaddressed": list(self.unaddressed),
            "superseded": self.superseded,
            "not_in_force": self.not_in_force,
        }


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def is_placeholder(text: str | None) -> bool:
    """Whether ``text`` stands in for an answer without being one.

    True for None, empty or whitespace-only text, text made only of punctuation (dashes, dots,
    ellipses, question marks...) and whitespace, and the stock phrases of ``PLACEHOLDERS``.
    """
    if text is None:
        return True
    stripped = text.strip()
    if all(char.isspace() or _is_punctuation(char) for char in stripped):
        return True  # also covers the empty string
    normalised = " ".join(stripped.casefold().split())
    if normalised in PLACEHOLDERS:
        return True
    while normalised and (_is_punctuation(normalised[-1]) or normalised[-1].isspace()):
        normalised = normalised[:-1]
    return normalised in PLACEHOLDERS


def _check_element(element: str) -> None:
    if element not in ELEMENTS:
        raise ValueError(f"unknown element {element!r}; expected one of {', '.join(ELEMENTS)}")


def has_element(entry: EntryData, element: str) -> bool:
    """Whether ``entry`` supplies ``element`` (one of ``ELEMENTS``) with real content."""
    _check_element(element)
    if element in TEXT_ELEMENTS:
        return not is_placeholder(getattr(entry, element))
    if element == Element.ENFORCEMENT:
        figures = entry.enforcement
        if figures is None:
            return False
        return any(figures.get(name) is not None for name in ENFORCEMENT_FIGURES)
    # evidence
    return any(
        not is_placeholder(item.get("title")) or not is_placeholder(item.get("reference"))
        for item in entry.evidence
    )


def rating_for(completeness: float | None) -> str:
    """The rating band of a completeness value; ``None`` (no report) is ``not_reported``."""
    if completeness is None:
        return NOT_REPORTED
    for rating, threshold in RATING_BANDS:
        if completeness >= threshold:
            return rating
    return RATING_BANDS[-1][0]


def round_half_up(value: Fraction, places: int) -> float:
    """Round an exact fraction half-up to ``places`` decimals.

    A fraction lying exactly on a rounding boundary has a terminating decimal expansion, which
    the high-precision division reproduces exactly, so the rounding is exact.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
        return float(decimal.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _has_justification(entry: EntryData) -> bool:
    return not is_placeholder(entry.justification)


def _score_entry(spec: ObligationSpec, entry: EntryData) -> tuple[Fraction, list[str], list[str]]:
    justified_na = entry.status == EntryStatus.NOT_APPLICABLE and _has_justification(entry)

    if justified_na:
        points = Fraction(spec.weight)
        missing: list[str] = []
    else:
        missing = [element for element in spec.expects if not has_element(entry, element)]
        units = 1 + len(spec.expects) - len(missing)
        points = Fraction(spec.weight * units, 1 + len(spec.expects))
        if entry.status == EntryStatus.NOT_APPLICABLE:
            missing.append("justification")

    warnings: list[str] = []
    if entry.status in IMPLEMENTING_STATUSES:
        if not has_element(entry, Element.LEGAL_BASIS):
            warnings.append(WARNING_NO_LEGAL_BASIS)
        if not has_element(entry, Element.COMPETENT_AUTHORITY):
            warnings.append(WARNING_NO_AUTHORITY)
    for field in _PLACEHOLDER_CHECKED_FIELDS:
        value = getattr(entry, field)
        if value is not None and is_placeholder(value):
            warnings.append(WARNING_PLACEHOLDER.format(field=field))
    if (Element.ENFORCEMENT in spec.expects and not justified_na
            and not has_element(entry, Element.ENFORCEMENT)):
        warnings.append(WARNING_NO_ENFORCEMENT)
    if entry.status == EntryStatus.NOT_APPLICABLE and not justified_na:
        warnings.append(WARNING_NO_JUSTIFICATION)
    return points, missing, warnings


def score_report(
    obligations: Sequence[ObligationSpec], entries: Sequence[EntryData],
    set_aside: Sequence[SetAside] = (),
) -> ScoreResult:
    """Score a report version's entries against the obligations it is about and in force.

    Entries naming an obligation not in ``obligations`` are ignored; when two entries name the
    same obligation the first one counts. Obligations in ``set_aside`` (not in force when the
    version was received) are listed in the breakdown with no points and no maximum, and say
    why; they change nothing else. Raises ValueError for a status outside ``STATUSES`` or an
    expected element outside ``ELEMENTS``.
    """
    for spec in obligations:
        for element in spec.expects:
            _check_element(element)

    codes = {spec.code for spec in obligations}
    by_code: dict[str, EntryData] = {}
    entry: EntryData | None
    for entry in entries:
        if entry.obligation in codes and entry.obligation not in by_code:
            if entry.status not in STATUSES:
                raise ValueError(
                    f"unknown status {entry.status!r}; expected one of {', '.join(STATUSES)}"
                )
            by_code[entry.obligation] = entry

    total_points = Fraction(0)
    total_weight = 0
    scores: list[ObligationScore] = []
    unaddressed: list[str] = []
    for spec in obligations:
        total_weight += spec.weight
        entry = by_code.get(spec.code)
        if entry is None:
            unaddressed.append(spec.code)
            scores.append(
                ObligationScore(
                    code=spec.code,
                    status=None,
                    points=0.0,
                    max_points=spec.weight,
                    missing=["status", *spec.expects],
                    warnings=[],
                )
            )
            continue
        points, missing, warnings = _score_entry(spec, entry)
        total_points += points
        scores.append(
            ObligationScore(
                code=spec.code,
                status=entry.status,
                points=round_half_up(points, 2),
                max_points=spec.weight,
                missing=missing,
                warnings=warnings,
            )
        )

    said = {e.obligation: e.status for e in reversed(entries)}
    for aside in set_aside:
        scores.append(ObligationScore(
            code=aside.code, status=said.get(aside.code), points=0.0, max_points=0,
            missing=[], warnings=[aside.reason()], set_aside=aside,
        ))

    completeness = 0.0
    if total_weight > 0:
        completeness = round_half_up(100 * total_points / total_weight, 1)
    return ScoreResult(
        completeness=completeness,
        rating=rating_for(completeness),
        method=METHOD_VERSION,
        obligations=scores,
        unaddressed=unaddressed,
    )
