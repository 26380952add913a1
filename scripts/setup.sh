#!/usr/bin/env bash
# Set up and run the project on a Debian/Ubuntu machine, installing only what is missing.
#
#   scripts/setup.sh run  [flask run options]  system packages, .venv, migrations, catalogue,
#                                               demo data, then the API on SQLite (port $PORT,
#                                               default 8000)
#   scripts/setup.sh test [pytest arguments]    system packages, .venv with the test extras,
#                                               PostgreSQL/Redis started if down, then pytest
#
# Installing system packages needs root: the script runs apt-get directly as root, otherwise
# through sudo (it says so first). Nothing is installed when every package is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint (Pango, HarfBuzz), fonts for Latin/Cyrillic/Arabic (DejaVu) and Chinese
# (WenQuanYi Micro Hei), poppler-utils (pdftotext, pdftoppm) and the venv module.
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
                 fonts-wqy-microhei poppler-utils python3-venv)
# The browser tests of the web pages drive Debian's Chromium through its WebDriver.
TEST_PACKAGES=(chromium chromium-driver)
PYTHON=${PYTHON:-python3}

say() { printf '== %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    say "this step needs root and sudo is not available; as root run: $*"
    exit 1
  fi
}

system_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  if ! command -v apt-get >/dev/null; then
    say "missing system packages (install them with your package manager): ${missing[*]}"
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    say "missing system packages; installing them needs root, and sudo is not available."
    say "as root run: apt-get install ${missing[*]}   (then run this command again)"
    exit 1
  fi
  say "installing system packages (needs root$([ "$(id -u)" -eq 0 ] || echo ', through sudo')): ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

python_env() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    say "Python 3.11 or later is needed ($PYTHON is $("$PYTHON" -V 2>&1))"
    exit 1
  fi
  if [ ! -x .venv/bin/pip ]; then
    say "creating .venv"
    "$PYTHON" -m venv --clear .venv
  fi
  say "installing the package into .venv ($1)"
  .venv/bin/pip install -q --disable-pip-version-check -e "$1"
}

start_postgres() {
  # Only when the tests are pointed at a PostgreSQL server on this machine.
  case "${TEST_DATABASE_URL:-}" in postgres://* | postgresql*) ;; *) return ;; esac
  if pg_isready -q -d "$TEST_DATABASE_URL" 2>/dev/null; then
    return
  fi
  if [ ! -d /etc/postgresql ] || ! command -v pg_ctlcluster >/dev/null; then
    say "PostgreSQL at TEST_DATABASE_URL is not reachable and no local cluster is installed"
    return
  fi
  say "starting PostgreSQL (needs root)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -n 1)" main start
  for _ in $(seq 1 30); do
    pg_isready -q -d "$TEST_DATABASE_URL" && return
    sleep 1
  done
}

start_redis() {
  # The rate-limit tests that share counters between app servers use Redis on
  # 127.0.0.1:6379; without it they are skipped, and say why.
  if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    return
  fi
  if ! command -v redis-server >/dev/null; then
    say "Redis is not running and redis-server is not installed: its tests will be skipped"
    return
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/redis-tests.XXXXXX")
  say "starting Redis on 127.0.0.1:6379 (log in $dir)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log"
  for _ in $(seq 1 10); do
    (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && return
    sleep 0.5
  done
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    system_packages "${SYSTEM_PACKAGES[@]}"
    python_env .
    flask=(.venv/bin/flask --app wsgi)
    "${flask[@]}" db upgrade
    "${flask[@]}" catalogue load
    "${flask[@]}" demo load
    say "API on http://localhost:${PORT:-8000}/api/v1/ (Ctrl-C stops it)"
    exec "${flask[@]}" run --port "${PORT:-8000}" "$@"
    ;;
  test)
    system_packages "${SYSTEM_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    python_env '.[test]'
    start_postgres
    start_redis
    exec .venv/bin/pytest "$@"
    ;;
  *)
    echo "usage: scripts/setup.sh run [flask run options] | test [pytest arguments]" >&2
    exit 2
    ;;
esac
