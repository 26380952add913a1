"""The text budget of a state profile: how much of a state's own words a summary quotes.

A report may hold about a megabyte of text (every field at its limit in
`schemas.reports.TEXT_LIMITS`, up to the request body limit), and a state has a report on
every resolution. Quoted in full, that is hundreds of pages and minutes of layout. A profile
therefore quotes each answer up to a per-field budget, shortened at a word boundary, and
stops quoting once the document's budget is spent; every shortened or omitted answer carries
a note giving its full length and the address of the whole text (the version of the report
the profile quotes). The HTML and the PDF show the same, bounded, content.

The budget is in characters of quoted text, counted after shortening; the README
("Lax-enforcement summaries") documents it and `bench/summary_pdf.py` measures the
worst-case document it allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Each text answer (legal basis, competent authority, measures, justification, notes).
FIELD_CHARS = 1_500
#: Evidence items listed per entry, and the characters of each title and each reference.
EVIDENCE_ITEMS = 5
EVIDENCE_CHARS = 300
#: All quoted text of one document together (answers and evidence of every resolution).
DOCUMENT_CHARS = 120_000
#: Below this many characters of budget left, an answer is not quoted at all.
MIN_QUOTE_CHARS = 200

TEXT_FIELDS = (
    ("legal_basis", "legal basis"),
    ("competent_authority", "competent authority"),
    ("measures", "measures"),
    ("justification", "justification"),
    ("notes", "notes"),
)
ELLIPSIS = "…"
_LAST_SPACE = re.compile(r"\s+\S*$")


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters; otherwise its beginning, cut at the last
    whitespace (or, in a text without one in its second half, at the limit) and ended with an
    ellipsis, at most `limit` characters in all."""
    if len(text) <= limit:
        return text
    if limit < 2:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut falls inside a word: drop that word
        space = _LAST_SPACE.search(head)
        if space is not None and space.start() >= (limit - 1) // 2:
            head = head[: space.start()]
    return head.rstrip() + ELLIPSIS


@dataclass
class Budget:
    """Characters of quoted text a document has left."""

    remaining: int = DOCUMENT_CHARS

    def take(self, text: str, limit: int) -> str | None:
        """`text` within `limit` and what is left; None when too little is left to quote."""
        allowance = min(limit, self.remaining)
        if len(text) > allowance and allowance < MIN_QUOTE_CHARS:
            return None
        quoted = shorten(text, allowance)
        self.remaining -= len(quoted)
        return quoted


def _count(n: int) -> str:
    return f"{n:,}"


def bound_entry(entry: dict[str, Any], address: str, budget: Budget) -> dict[str, Any]:
    """A copy of one entry of a profile with its text within the budget, and `shortened`: the
    notes (zero, one or two sentences) saying what was shortened or left out and where the
    whole text is."""
    bounded = dict(entry)
    shortened: list[str] = []
    omitted: list[str] = []
    for field, label in TEXT_FIELDS:
        text = entry.get(field)
        if not text:
            continue
        quoted = budget.take(text, FIELD_CHARS)
        bounded[field] = quoted
        if quoted is None:
            omitted.append(f"{label} ({_count(len(text))} characters)")
        elif quoted != text:
            shortened.append(f"{label}, {_count(len(text))} characters in full")
    evidence = entry.get("evidence") or []
    listed = []
    for item in evidence[:EVIDENCE_ITEMS]:
        title, reference = item.get("title"), item.get("reference")
        quoted_title = budget.take(title, EVIDENCE_CHARS) if title else title
        quoted_reference = budget.take(reference, EVIDENCE_CHARS) if reference else reference
        if (title and quoted_title is None) or (reference and quoted_reference is None):
            break
        changed = quoted_title != title or quoted_reference != reference
        if changed and "evidence titles or references" not in shortened:
            shortened.append("evidence titles or references")
        listed.append({**item, "title": quoted_title, "reference": quoted_reference})
    bounded["evidence"] = listed
    if len(listed) < len(evidence):
        missing = len(evidence) - len(listed)
        omitted.append(f"{missing} of {len(evidence)} evidence items")
    notes = []
    if shortened:
        notes.append(f"Shortened: {'; '.join(shortened)}; the whole text is at {address}")
    if omitted:
        notes.append(f"Not quoted here: {'; '.join(omitted)}; the whole text is at {address}")
    bounded["shortened"] = notes
    return bounded


def bound_profile(items: list[dict[str, Any]], budget: Budget | None = None) -> None:
    """Apply the budget to every quoted entry of a state profile's resolutions, in document
    order. Each reported item carries `source`, the address of the version it quotes."""
    budget = budget or Budget()
    for item in items:
        if item.get("entries"):
            item["entries"] = [bound_entry(e, item["source"], budget) for e in item["entries"]]
