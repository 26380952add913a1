"""Where a compliance matrix request spends its time: cProfile shares, per part.

Builds the history of bench/compliance_matrix.py on a new SQLite database (5 versions per
report, then 50), profiles N requests `GET /api/v1/compliance?resolution=9000` in-process at
each volume and prints, per part of the request (the service's steps, the serialisation,
the rest), its milliseconds per request under the profiler and its share of the request.
Parts that the code does not have (the schema dump after the hand-written one replaced it)
print as 0.

    .venv/bin/python bench/matrix_profile.py                 # 5 then 50 versions
    .venv/bin/python bench/matrix_profile.py --versions 5 --requests 20
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases  # noqa: E402
from compliance_matrix import add_history  # noqa: E402
from matrix_against import setup  # noqa: E402

from app import create_app  # noqa: E402

#: (label, [(file name, function name), ...]): the parts, by the functions that make them.
PARTS = [
    ("view: matrix_result", [("compliance.py", "matrix_result")]),
    ("  service.matrix", [("compliance.py", "matrix")]),
    ("    resolution and requirements", [("compliance.py", "answered_for")]),
    ("    latest versions", [("compliance.py", "latest_versions")]),
    ("    Member States", [("compliance.py", "states_by_name"),
                           ("compliance.py", "members_by_name")]),
    ("    incident record", [("compliance.py", "incident_record")]),
    ("    record facts and findings", [("compliance.py", "_apply_record"),
                                       ("compliance.py", "with_findings"),
                                       ("compliance.py", "_with_facts")]),
    ("  headline", [("compliance.py", "headline")]),
    ("  filter_and_sort", [("compliance.py", "filter_and_sort")]),
    ("schema dump (marshmallow)", [("schema.py", "dump")]),
    ("hand-written dump", [("compliance.py", "dump_matrix")]),
    ("JSON encoding", [("__init__.py", "jsonify")]),
]


def profile(url: str, token: str, requests: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        client.get("/api/v1/compliance?resolution=9000", headers=headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        response = client.get("/api/v1/compliance?resolution=9000", headers=headers)
        assert response.status_code == 200
    profiler.disable()
    cumulative: dict[tuple[str, str], float] = {}
    for (file, _, name), (_, _, _, total, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        key = (Path(file).name, name)
        cumulative[key] = max(cumulative.get(key, 0.0), total)
    whole = cumulative[("app.py", "wsgi_app")]
    print(f"{'request (in-process)':36} {whole / requests * 1000:8.1f} ms  100.0%")
    for label, functions in PARTS:
        seconds = sum(cumulative.get(f, 0.0) for f in functions)
        print(f"{label:36} {seconds / requests * 1000:8.1f} ms  {seconds / whole * 100:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", default="5,50")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    for _, url in databases(["sqlite"], "profile"):
        token = setup(url)
        for versions in (int(v) for v in args.versions.split(",")):
            add_history(create_app({"SQLALCHEMY_DATABASE_URI": url}), versions, seed=versions)
            print(f"--- {versions} versions per report", flush=True)
            profile(url, token, args.requests)


if __name__ == "__main__":
    main()
