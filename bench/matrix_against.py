"""Compliance matrix server time of this checkout against another checkout, interleaved.

Builds the data of bench/compliance_matrix.py and bench/matrix_incidents.py once, then
times the same in-process requests (bench/matrix_timer.py) with this checkout's code and
with the other checkout's code in turn, each in a process of its own on the same database,
round after round, so that both see the same load on a shared machine. Four stages:

- `5 versions`: 193 states x 10 resolutions x 5 versions x 15 entries;
- `50 versions`: the same history grown tenfold;
- and on a second database, `5 versions` again, then `+10,000 incidents` (the worst case of
  bench/matrix_incidents.py: every incident engages resolution 9000, whose matrix is timed).

Per stage and kind of request (`json`, `as_of`, `csv`, `requirement`, see matrix_timer.py)
it prints the median of each round for both checkouts, the median over rounds with its
spread (lowest and highest round), and the ratio this / other (median and spread of the
per-round ratios); then each checkout's growth for the tenfold history and with the
incidents, from the medians over rounds.

    .venv/bin/python bench/matrix_against.py --other /path/to/main          # both databases
    .venv/bin/python bench/matrix_against.py --other ../main --backends sqlite --rounds 5

The other checkout must share this one's database schema (the same migrations).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, databases  # noqa: E402
from compliance_matrix import add_history, bench_catalogue  # noqa: E402
from matrix_incidents import add_incidents  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.services.authorities import create_authority  # noqa: E402
from app.services.catalogue import load_catalogue  # noqa: E402

TIMER = Path(__file__).resolve().parent / "matrix_timer.py"
KINDS = ("json", "as_of", "csv", "requirement")


def setup(url: str) -> str:
    """A migrated database with the bench catalogue; a panel token."""
    folder = Path(tempfile.mkdtemp(prefix="bench-against-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        upgrade(app)
        with app.app_context():
            load_catalogue(db.session, bench_catalogue(folder))
            token = create_authority(db.session, "bench panel", "panel", None).plaintext
            db.engine.dispose()
        return token
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url})


def time_with(checkout: Path, url: str, token: str, requests: int, resolutions: int,
              kinds: tuple[str, ...]) -> dict[str, float]:
    """Median seconds per kind of request, with `checkout`'s code."""
    result = subprocess.run(
        [sys.executable, str(TIMER), url, token, str(requests), str(resolutions), *kinds],
        cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True, text=True, check=True)
    times = json.loads(result.stdout.strip().splitlines()[-1])
    return {kind: statistics.median(values) for kind, values in times.items()}


def stage(label: str, name: str, url: str, token: str, checkouts: dict[str, Path],
          rounds: int, requests: int, resolutions: int, kinds: tuple[str, ...]
          ) -> dict[str, dict[str, float]]:
    """Both checkouts in turn, `rounds` times (the order alternates); prints and returns the
    median over rounds per checkout and kind (ms)."""
    medians: dict[str, dict[str, list[float]]] = {c: {k: [] for k in kinds} for c in checkouts}
    for n in range(rounds):
        order = list(checkouts) if n % 2 == 0 else list(reversed(checkouts))
        for checkout in order:
            for kind, seconds in time_with(checkouts[checkout], url, token, requests,
                                           resolutions, kinds).items():
                medians[checkout][kind].append(seconds * 1000)
    out: dict[str, dict[str, float]] = {c: {} for c in checkouts}
    for kind in kinds:
        this, other = medians["this"][kind], medians["other"][kind]
        ratios = sorted(a / b for a, b in zip(this, other, strict=True))
        for checkout in checkouts:
            values = medians[checkout][kind]
            out[checkout][kind] = statistics.median(values)
        print(f"{label:10} {name:18} {kind:11} other {statistics.median(other):6.1f} ms "
              f"[{min(other):6.1f}-{max(other):6.1f}]  this {statistics.median(this):6.1f} ms "
              f"[{min(this):6.1f}-{max(this):6.1f}]  this/other "
              f"{statistics.median(ratios):.2f} [{ratios[0]:.2f}-{ratios[-1]:.2f}]  "
              f"rounds: other {' '.join(f'{v:.1f}' for v in other)}; "
              f"this {' '.join(f'{v:.1f}' for v in this)}", flush=True)
    return out


def run(label: str, url: str, url2: str, other: Path, rounds: int, requests: int,
        incidents: int) -> None:
    checkouts = {"this": ROOT, "other": other}
    token = setup(url)
    add_history(app_for(url), 5, seed=5)
    small = stage(label, "5 versions", url, token, checkouts, rounds, requests, 10, KINDS)
    add_history(app_for(url), 50, seed=50)
    large = stage(label, "50 versions", url, token, checkouts, rounds, requests, 10, KINDS)
    for checkout in checkouts:
        print(f"{label:10} growth for 10x history, {checkout}: " + ", ".join(
            f"{kind} {large[checkout][kind] / small[checkout][kind]:.2f}x"
            for kind in KINDS), flush=True)
    token2 = setup(url2)
    add_history(app_for(url2), 5, seed=5)
    without = stage(label, "5 versions (9000)", url2, token2, checkouts, rounds, requests,
                    1, ("json", "as_of"))
    add_incidents(app_for(url2), incidents, seed=14)
    with_ = stage(label, f"+{incidents} incidents", url2, token2, checkouts, rounds,
                  requests, 1, ("json", "as_of"))
    for checkout in checkouts:
        print(f"{label:10} with {incidents} incidents / without, {checkout}: " + ", ".join(
            f"{kind} {with_[checkout][kind] / without[checkout][kind]:.2f}x"
            for kind in ("json", "as_of")), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", required=True, type=Path,
                        help="the checkout to compare with (its root directory)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    other = args.other.resolve()
    for backend in args.backends.split(","):
        for label, url in databases([backend], "against"):
            for _, url2 in databases([backend], "against2"):
                run(label, url, url2, other, args.rounds, args.requests, args.incidents)


if __name__ == "__main__":
    main()
