"""The difference between the largest report the API accepts and a version changing every
text in it: how long `app.diffs.diff_versions` takes.

The older version is `tests.helpers.worst_case_report` (as many entries as fit in the 1 MiB
body with every text field at its limit in `schemas.reports.TEXT_LIMITS`, evidence items up to
the limit). The newer one keeps the entries and replaces every text by one of the same length,
changes every figure and every evidence item, in four ways:

- `disjoint`: words the older version never uses (nothing in common);
- `rotated`: the same prose from another starting point (every word in common, in another
  order);
- `random-120`: both versions' texts made of words drawn at random from 120 (each just under
  `autojunk`'s 1% threshold in a 20,000-character text, so none is junk, and the two texts
  share thousands of short matches: the adversarial case for word matching);
- `han-200`: both versions' texts made of Han characters drawn at random from 200, with a
  full stop now and then (each character a word, so five times as many words as in English
  prose; three bytes each in UTF-8, so only the entries that fit in the 1 MiB body).

    .venv/bin/python bench/report_diff.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.diffs import ENTRY_TEXT_FIELDS, VersionView, diff_versions  # noqa: E402
from tests.helpers import prose, worst_case_report  # noqa: E402


def _fill(length: int, pick) -> str:
    out: list[str] = []
    size = 0
    while size < length:
        word = pick()
        out.append(word)
        size += len(word)
    return "".join(out)[:length]


def changed_text(kind: str, length: int, seed: int) -> str:
    rnd = random.Random(seed)
    if kind == "disjoint":
        return _fill(length, lambda: f"zq{rnd.randrange(10**6)} ")
    if kind == "rotated":
        return prose(length, seed + 7)
    if kind == "random-120":
        return _fill(length, lambda: f"w{rnd.randrange(120)} ")
    if kind == "han-200":
        return _fill(length, lambda: chr(0x4E00 + rnd.randrange(200)) + (
            "。" if rnd.random() < 0.03 else ""))
    raise ValueError(kind)


ADVERSARIAL = ("random-120", "han-200")
MAX_BODY = 1024 * 1024


def versions(kind: str) -> tuple[VersionView, VersionView]:
    body = worst_case_report([{"code": f"2397/{i}"} for i in range(200)], "FRA", 2397)
    old = body["entries"]
    if kind in ADVERSARIAL:  # both versions written that way
        for n, entry in enumerate(old):
            for name in ENTRY_TEXT_FIELDS:
                entry[name] = changed_text(kind, len(entry[name]), n * 10 + len(name) + 5)
    new = []
    for n, entry in enumerate(old):
        changed = dict(entry)
        for name in ENTRY_TEXT_FIELDS:
            changed[name] = changed_text(kind, len(entry[name]), n * 10 + len(name))
        changed["enforcement"] = {k: v + 1 for k, v in entry["enforcement"].items()}
        changed["evidence"] = [{"title": f"{i['title']} (rev.)", "reference": i["reference"]}
                               for i in entry["evidence"]]
        new.append(changed)
    # Han characters take three bytes in UTF-8: keep the entries that fit in the 1 MiB body.
    while max(len(json.dumps(v, ensure_ascii=False).encode()) for v in (old, new)) > MAX_BODY:
        old.pop()
        new.pop()
    return (VersionView(entries=old, language="en", reference=body["reference"]),
            VersionView(entries=new, language="en", reference=body["reference"] + "/Rev.1"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for kind in ("disjoint", "rotated", "random-120", "han-200"):
        older, newer = versions(kind)
        chars = sum(len(e[f] or "") for e in newer.entries for f in ENTRY_TEXT_FIELDS)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            diff = diff_versions(older, newer)
            times.append(time.perf_counter() - start)
        grains: dict[str, int] = {}
        for entry in diff["entries"]:
            for change in entry["fields"]:
                grains[change["granularity"]] = grains.get(change["granularity"], 0) + 1
        print(f"{kind}: {len(newer.entries)} entries, {chars:,} characters of text; "
              f"median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms; granularity {grains}")


if __name__ == "__main__":
    main()
