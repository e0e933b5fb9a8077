#!/usr/bin/env bash
# Time to first page: `make run` on a fresh clone, timed until /healthz answers and a page is
# served, then stopped. Uses whatever pip cache the user has (run it twice for a warm cache).
#
#   bash bench/first_run.sh [REV]      (default: the current branch; port from SHOKEI_PORT or a free one)
#
# Prints the time of the clone, of the install (.venv ready), to /healthz and to the first page
# (/login), with the load average before and after. Nothing is left behind: the clone is removed.
set -euo pipefail

repo=$(git rev-parse --show-toplevel)
rev=${1:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}
port=${SHOKEI_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
work=$(mktemp -d /tmp/shokei-first-run.XXXXXX)
pid=""

stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || true   # the process group of `make run` (setsid below)
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$1" "$(now)"; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); pip cache: $(python3 -m pip cache dir 2>/dev/null || echo none)"
start=$(now)
git clone --quiet --branch "$rev" "$repo" "$work/shokei"
echo "clone ($rev): $(since "$start")"

cd "$work/shokei"
SHOKEI_PORT=$port setsid make run >"$work/run.log" 2>&1 &
pid=$!

installed="" healthy=""
deadline=$(( $(date +%s) + 900 ))
while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "make run stopped; its output:" >&2
        tail -30 "$work/run.log" >&2
        exit 1
    fi
    if [ -z "$installed" ] && [ -e .venv/.installed ]; then
        installed=$(since "$start")
        echo "install done (.venv): $installed"
    fi
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
        healthy=$(since "$start")
        break
    fi
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "no answer on /healthz after 900 s" >&2
        exit 1
    fi
    sleep 0.2
done
echo "/healthz answers: $healthy"
curl -sf -o /dev/null "http://127.0.0.1:$port/login"
echo "first page (/login): $(since "$start")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
