"""Times compliance matrix requests in-process with whichever code `app` imports (the
checkout on PYTHONPATH) against an existing database; prints one JSON line: per kind of
request, the seconds of each timed request. Run by bench/matrix_against.py, which points
PYTHONPATH at one checkout, then at the other.

    PYTHONPATH=<checkout> python bench/matrix_timer.py URL TOKEN REQUESTS RESOLUTIONS KIND...

KIND is one of `json` (now), `as_of` (as of today's date: read from the versions and incident
versions themselves rather than the derived tables), `csv` (now, as CSV), `requirement`
(now, by requirement code). The requests go round the first RESOLUTIONS bench resolutions
(9000, 9001, ...), 3 warm-up requests first.
This script must not put any checkout on sys.path itself.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from app import create_app

QUERIES = {
    "json": "resolution={number}",
    "as_of": "resolution={number}&as_of=" + dt.date.today().isoformat(),
    "csv": "resolution={number}&format=csv",
    "requirement": "requirement={number}/R-general",
}


def main() -> None:
    url, token, requests, resolutions, *kinds = sys.argv[1:]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    for kind in kinds:
        times = []
        for i in range(int(requests) + 3):
            query = QUERIES[kind].format(number=9000 + i % int(resolutions))
            start = time.perf_counter()
            response = client.get(f"/api/v1/compliance?{query}", headers=headers)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            if i >= 3:
                times.append(elapsed)
        out[kind] = times
    print(json.dumps(out))


if __name__ == "__main__":
    main()
