"""What changed between two versions of a report: pure comparison, no database, no Flask.

`diff_versions(older, newer)` takes each version as a `VersionView`: its report-level fields
(`dated`, `language`, `reference`, `nil`, `justification`) and its entries in the shape of
`app.services.reports.entry_view`. It returns:

    {
      "identical": bool,
      "nil": {"old": bool, "new": bool} | None,     # None: unchanged
      "fields": [FieldChange, ...],                 # report-level: dated, language,
                                                    # reference, justification
      "counts": {"added": n, "removed": n, "changed": n, "unchanged": n},
      "entries": [EntryDiff, ...],
    }

    FieldChange = {"field": name, "old": str | None, "new": str | None,
                   "segments": [Segment, ...] | None,   # free text only
                   "granularity": "word" | "sentence" | "whole" | None}
    Segment     = {"op": "equal" | "insert" | "delete", "text": str}
    EntryDiff   = {"obligation": code,
                   "change": "added" | "removed" | "changed" | "unchanged",
                   "entry": the whole entry view (added: the newer's; removed: the older's;
                            otherwise None),
                   "fields": [FieldChange, ...],        # status and the free-text fields
                   "enforcement": [{"figure": name, "old": int | None, "new": int | None}],
                   "evidence": {"added": [item, ...], "removed": [item, ...]}}

Entries come in the newer version's order, then the removed ones in the older version's
order. `fields`, `enforcement` and `evidence` list only what changed (all empty unless the
entry is `changed`). Enforcement figures are compared one by one, a null `enforcement`
counting as four null figures. Evidence items are compared as a collection of
`(title, reference)` pairs: an item in the newer version but not the older is added, the
reverse removed; reordering items is not a change.

Free text (`legal_basis`, `competent_authority`, `measures`, `justification`, `notes`, and
the report's `justification`) gets `segments`: the older text is the concatenation of the
`equal` and `delete` segments, the newer one of the `equal` and `insert` segments, exactly
(null counts as the empty text). Segments are found by `difflib.SequenceMatcher` over words,
each word with the whitespace after it (Han and kana characters, written without spaces,
are words of their own); status, dates, language and reference get only `old` and `new`.

**Bounded work.** A text is at most 20,000 characters (`schemas.reports.TEXT_LIMITS`) and a
report at most 200 entries inside a 1 MiB body. Cutting texts into words and matching their
common beginning and end (whole words) take linear time. The rest goes to
`difflib.SequenceMatcher` with `autojunk` (a word making up more than 1% of a text of 200
words or more is matched only next to other matches, which keeps repetitive texts from
costing quadratic time), whose cost is estimated beforehand by `matching_pairs`: the pairs of
equal words it may look at. A text is compared word by word only if that estimate is at most
`PAIRS_PER_TEXT_MAX` (100,000) and within what is left of the diff's `PAIRS_PER_DIFF_MAX`
(250,000, shared by every text of the two versions); otherwise sentence by sentence (a
sentence ends at `.`, `!`, `?`, `。` or a line break) under the same limits; beyond them the
whole changed middle is one deletion and one insertion. `granularity` says which was used.
Ordinary prose costs far less than its length (its frequent words are junk, its rare ones
rare), so it is compared word by word; only texts built from a few hundred distinct words or
characters reach the limits. The largest report the API accepts against a version changing
every text takes about 0.1 to 0.2 s for prose and about 0.3 s at most for such adversarial
texts (`bench/report_diff.py`, `docs/benchmarks.md`).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

ENTRY_TEXT_FIELDS = ("legal_basis", "competent_authority", "measures", "justification",
                     "notes")
FIGURES = ("inspections", "seizures", "designations", "violations_reported")
REPORT_FIELDS = ("dated", "language", "reference")
PAIRS_PER_TEXT_MAX = 100_000
PAIRS_PER_DIFF_MAX = 250_000

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
EQUAL, INSERT, DELETE = "equal", "insert", "delete"

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_RE = re.compile(rf"[^\s{_CJK}]+\s*|[{_CJK}]\s*|\s+")
SENTENCE_RE = re.compile(r"\s+|[^\n.!?。]*(?:[.!?。]+|\n|$)\s*")


@dataclass
class VersionView:
    """What `diff_versions` compares of one version."""

    entries: Sequence[dict[str, Any]]
    dated: str | None = None
    language: str | None = None
    reference: str | None = None
    nil: bool = False
    justification: str | None = None


def words(text: str) -> list[str]:
    """`text` cut into words, each with the whitespace after it; joined, they are `text`."""
    return WORD_RE.findall(text)


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (and lines), each with the whitespace after it."""
    return [s for s in SENTENCE_RE.findall(text) if s]


def _merge(segments: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    merged: list[dict[str, str]] = []
    for op, text in segments:
        if not text:
            continue
        if merged and merged[-1]["op"] == op:
            merged[-1]["text"] += text
        else:
            merged.append({"op": op, "text": text})
    return merged


@dataclass
class Budget:
    """How many more pairs of equal words (or sentences) a diff may compare
    (`matching_pairs`); shared by every text of one diff."""

    remaining: int = field(default_factory=lambda: PAIRS_PER_DIFF_MAX)


def matching_pairs(a: Sequence[str], b: Sequence[str]) -> int:
    """What SequenceMatcher's search for matches costs on `a` and `b`, as it runs with
    `autojunk`: the pairs of equal items it may look at (an item of `b` more frequent than
    1% of it, when `b` has 200 items or more, is not looked up). Linear work (cutting and
    indexing the texts) is not counted: it is bounded by the texts' length."""
    counts = Counter(b)
    if len(b) >= 200:
        popular = len(b) // 100 + 1
        counts = Counter({k: v for k, v in counts.items() if v <= popular})
    return sum(map(counts.get, a, repeat(0, len(a))))


def text_segments(old: str | None, new: str | None, budget: Budget | None = None
                  ) -> tuple[list[dict[str, str]], str]:
    """The segments turning `old` into `new` and the granularity used (see the module)."""
    budget = budget if budget is not None else Budget()
    ta, tb = words(old or ""), words(new or "")
    start = 0
    limit = min(len(ta), len(tb))
    while start < limit and ta[start] == tb[start]:
        start += 1
    end = 0
    while end < limit - start and ta[-1 - end] == tb[-1 - end]:
        end += 1
    head, tail = "".join(ta[:start]), "".join(ta[len(ta) - end:])
    word_a, word_b = ta[start:len(ta) - end], tb[start:len(tb) - end]
    mid_a, mid_b = "".join(word_a), "".join(word_b)
    middle: list[tuple[str, str]] = []
    for granularity in ("word", "sentence"):
        ca, cb = (word_a, word_b) if granularity == "word" else (sentences(mid_a),
                                                                  sentences(mid_b))
        cost = matching_pairs(ca, cb)
        if cost <= min(PAIRS_PER_TEXT_MAX, budget.remaining):
            budget.remaining -= cost
            matcher = difflib.SequenceMatcher(None, ca, cb, autojunk=True)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    middle.append((EQUAL, "".join(ca[i1:i2])))
                else:
                    middle.append((DELETE, "".join(ca[i1:i2])))
                    middle.append((INSERT, "".join(cb[j1:j2])))
            break
    else:
        granularity = "whole"
        middle = [(DELETE, mid_a), (INSERT, mid_b)]
    return _merge([(EQUAL, head), *middle, (EQUAL, tail)]), granularity


def _text_change(name: str, old: str | None, new: str | None, budget: Budget
                 ) -> dict[str, Any]:
    segments, granularity = text_segments(old, new, budget)
    return {"field": name, "old": old, "new": new, "segments": segments,
            "granularity": granularity}


def _plain_change(name: str, old: Any, new: Any) -> dict[str, Any]:
    return {"field": name, "old": old, "new": new, "segments": None, "granularity": None}


def _figures(entry: dict[str, Any]) -> dict[str, int | None]:
    figures = entry.get("enforcement") or {}
    return {name: figures.get(name) for name in FIGURES}


def _evidence_key(item: dict[str, Any]) -> tuple[str | None, str | None]:
    return item.get("title"), item.get("reference")


def _evidence_change(old: list[dict[str, Any]], new: list[dict[str, Any]]
                     ) -> dict[str, list[dict[str, Any]]]:
    def only_in(items: list[dict[str, Any]], other: list[dict[str, Any]]):
        left = Counter(_evidence_key(i) for i in other)
        out = []
        for item in items:
            key = _evidence_key(item)
            if left[key]:
                left[key] -= 1
            else:
                out.append({"title": key[0], "reference": key[1]})
        return out

    return {"added": only_in(new, old), "removed": only_in(old, new)}


def diff_entry(old: dict[str, Any], new: dict[str, Any], budget: Budget | None = None
               ) -> dict[str, Any]:
    """How one obligation's entry changed (`change` is `changed` or `unchanged`)."""
    budget = budget if budget is not None else Budget()
    changes: list[dict[str, Any]] = []
    if old.get("status") != new.get("status"):
        changes.append(_plain_change("status", old.get("status"), new.get("status")))
    for name in ENTRY_TEXT_FIELDS:
        if old.get(name) != new.get(name):
            changes.append(_text_change(name, old.get(name), new.get(name), budget))
    before, after = _figures(old), _figures(new)
    figures = [{"figure": name, "old": before[name], "new": after[name]}
               for name in FIGURES if before[name] != after[name]]
    evidence = _evidence_change(old.get("evidence") or [], new.get("evidence") or [])
    changed = bool(changes or figures or evidence["added"] or evidence["removed"])
    return {"obligation": new["obligation"], "change": CHANGED if changed else UNCHANGED,
            "entry": None, "fields": changes, "enforcement": figures, "evidence": evidence}


def _whole(entry: dict[str, Any], change: str) -> dict[str, Any]:
    return {"obligation": entry["obligation"], "change": change, "entry": entry,
            "fields": [], "enforcement": [], "evidence": {"added": [], "removed": []}}


def diff_versions(older: VersionView, newer: VersionView) -> dict[str, Any]:
    """What changed from `older` to `newer` (see the module docstring for the shape)."""
    budget = Budget()
    fields: list[dict[str, Any]] = []
    for name in REPORT_FIELDS:
        old, new = getattr(older, name), getattr(newer, name)
        if old != new:
            fields.append(_plain_change(name, old, new))
    if older.justification != newer.justification:
        fields.append(_text_change("justification", older.justification,
                                   newer.justification, budget))
    nil = ({"old": older.nil, "new": newer.nil} if older.nil != newer.nil else None)
    before = {e["obligation"]: e for e in older.entries}
    after_codes = {e["obligation"] for e in newer.entries}
    entries = [diff_entry(before[e["obligation"]], e, budget) if e["obligation"] in before
               else _whole(e, ADDED) for e in newer.entries]
    entries += [_whole(e, REMOVED) for e in older.entries if e["obligation"] not in after_codes]
    counts = {kind: sum(1 for e in entries if e["change"] == kind)
              for kind in (ADDED, REMOVED, CHANGED, UNCHANGED)}
    identical = not fields and nil is None and not (
        counts[ADDED] or counts[REMOVED] or counts[CHANGED])
    return {"identical": identical, "nil": nil, "fields": fields, "counts": counts,
            "entries": entries}
