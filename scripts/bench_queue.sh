#!/usr/bin/env bash
# Queue-mode overhead (BENCHMARKS.md): the same sweep embedded (one process), through the queue
# with 1 worker, and with 2 workers, on a redis-server started here. CPU = user + sys of every
# glossa process (coordinator + workers); wall = the sweep command's. Usage:
#   scripts/bench_queue.sh emergent --preset quick
#   scripts/bench_queue.sh lm --model test/fixtures/lm/pythia-tiny-step0 ... (absolute or repo-relative paths)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
CLI="node dist/cli/bin.js"
WORK=$(mktemp -d)
PORT=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly no >/dev/null &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 1
timed() { /usr/bin/time -f "%e %U %S" -o "$1" "${@:2}"; }
cpu() { awk '{s+=$2+$3} END {printf "%.1f", s}' "$@"; }
wall() { awk '{print $1}' "$1"; }

timed "$WORK/embedded" $CLI "$@" --out "$WORK/embedded-out" >/dev/null 2>&1
echo "embedded: wall $(wall "$WORK/embedded") s, cpu $(cpu "$WORK/embedded") s"

for workers in 1 2; do
  DB=$workers
  PIDS=()
  for w in $(seq "$workers"); do
    # time itself, not the function: $! must be the PID whose child is the worker (pkill -P below)
    /usr/bin/time -f "%e %U %S" -o "$WORK/w$workers-$w" $CLI worker --queue "redis://127.0.0.1:$PORT/$DB" >/dev/null 2>&1 &
    PIDS+=($!)
  done
  timed "$WORK/coord$workers" $CLI "$@" --out "$WORK/queue$workers-out" --queue "redis://127.0.0.1:$PORT/$DB" >/dev/null 2>&1
  for p in "${PIDS[@]}"; do pkill -TERM -P "$p" || true; done
  wait "${PIDS[@]}" || true
  cmp -s "$WORK/embedded-out/results.jsonl" "$WORK/queue$workers-out/results.jsonl" && same=identical || same=DIFFERENT
  echo "queue, $workers worker(s): wall $(wall "$WORK/coord$workers") s, cpu $(cpu "$WORK/coord$workers" "$WORK"/w$workers-*) s (coordinator $(cpu "$WORK/coord$workers") s); results.jsonl $same"
done
