"""gunicorn settings: `gunicorn -c python:app.gunicorn_config wsgi:app`.

Sized for the 2-core default. Every value can be overridden by an environment variable
(`WEB_CONCURRENCY`, `GUNICORN_THREADS`, `GUNICORN_TIMEOUT`, `BIND`); docs/deployment.md says
how to size them for larger machines.

- Sync workers, one per core plus one: requests are short and CPU-bound (JSON validation,
  scoring); a worker blocked on the database for a moment is covered by the extra one.
- Four threads per worker: a worker keeps answering while one of its requests waits on a PDF
  render (rendering runs in a separate renderer process; a worker lets at most
  RENDER_CONCURRENCY of its requests wait for or hold a render, the others get 503 at once).
  With 2 threads the catalogue's worst latency during six parallel renders was 0.4-0.8 s,
  with 4 threads 0.2-0.3 s (docs/benchmarks.md). Keep threads above RENDER_CONCURRENCY.
- The timeout is above RENDER_TIMEOUT_SECONDS, so a slow render ends as a 503 problem from the
  application, not as a killed worker.
- Workers are recycled after a few thousand requests (with jitter) to cap memory growth.
- No control socket (gunicorn 25+ opens one in $HOME by default, and two servers on one host
  would take each other's); no `Server` header; gunicorn's own 400/414/431 answers are
  problem+json (app.http.gunicorn_hooks).
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "90"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Request line and header limits: a request beyond them is refused by gunicorn itself.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The application logs each request as JSON (app.http.logs); gunicorn's own access log is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl by default, shared between servers).
control_socket_disable = True
# Each worker: no `Server` header, gunicorn's own error answers as problem+json.
from app.http.gunicorn_hooks import post_worker_init  # noqa: E402,F401
