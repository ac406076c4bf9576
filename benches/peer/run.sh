#!/usr/bin/env bash
# The NumPy peer (benches/peer/wsjf_numpy.py) against the Rust binary on the same scenario and
# the same number of trials of `wsjf`: times both, checks that their means agree, prints the
# ratio. Run from anywhere:
#
#   benches/peer/run.sh
#
# Settings (environment): SCENARIO (default scenarios/portfolio-200.toml, the shipped
# 200-initiative x 12-month portfolio the simulator benchmarks use), TRIALS (100000), SEED (42),
# PEER_ARGS (extra arguments for the peer, e.g. "--pert table"), PYTHON (default
# /tmp/peer-venv/bin/python; created with `python3 -m venv` and benches/peer/requirements.txt
# when missing), CARGO_TARGET_DIR (as cargo uses it).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCENARIO=${SCENARIO:-scenarios/portfolio-200.toml}
TRIALS=${TRIALS:-100000}
SEED=${SEED:-42}
PEER_ARGS=${PEER_ARGS:-}
PYTHON=${PYTHON:-/tmp/peer-venv/bin/python}
OUT=$(mktemp -d /tmp/tradeoff-peer.XXXXXX)
# NumPy's element-wise work is single-threaded; keep any BLAS call on one thread too.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

if [ ! -x "$PYTHON" ]; then
    if [ "$PYTHON" != /tmp/peer-venv/bin/python ]; then
        echo "error: PYTHON=$PYTHON is not executable" >&2
        exit 1
    fi
    echo "== creating /tmp/peer-venv (NumPy from benches/peer/requirements.txt)"
    python3 -m venv /tmp/peer-venv
    /tmp/peer-venv/bin/pip install --quiet -r benches/peer/requirements.txt
fi

echo "== cargo build --release"
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/tradeoff

echo "== scenario: $SCENARIO (shipped; nothing to generate), $TRIALS trials, seed $SEED"
"$BIN" validate "$SCENARIO" --quiet > /dev/null

# Whole-process wall-clock and user CPU seconds of a command (stdout to $1).
TIMEFORMAT="%R %U"
timed() {
    local out=$1
    shift
    { time "$@" > "$out" 2> /dev/null; } 2>&1
}

echo "== exact check: the future of means (--deterministic) on both sides"
"$BIN" simulate "$SCENARIO" --strategies wsjf --deterministic --format json --quiet > "$OUT/rust-det.json"
"$PYTHON" benches/peer/wsjf_numpy.py "$SCENARIO" --deterministic --compare "$OUT/rust-det.json" \
    | grep -E 'net value mean|delivery_p50'

echo "== load average before timing: $(cut -d' ' -f1-3 /proc/loadavg) ($(getconf _NPROCESSORS_ONLN) CPUs)"
sim=(simulate "$SCENARIO" --strategies wsjf --trials "$TRIALS" --seed "$SEED" --format json --quiet)
"$BIN" "${sim[@]:0:4}" --trials 1000 --format json --quiet > /dev/null   # warm the file cache
read -r rust1 rust1_user < <(timed "$OUT/rust-1.json" "$BIN" "${sim[@]}" --threads 1)
read -r rust2 rust2_user < <(timed "$OUT/rust-2.json" "$BIN" "${sim[@]}" --threads 2)
cmp -s "$OUT/rust-1.json" "$OUT/rust-2.json" || echo "warning: --threads 1 and 2 outputs differ"

echo "== NumPy peer ($("$PYTHON" -c 'import numpy; print("numpy", numpy.__version__)'))"
# shellcheck disable=SC2086  # PEER_ARGS is a list of words
"$PYTHON" benches/peer/wsjf_numpy.py "$SCENARIO" --trials "$TRIALS" --seed "$SEED" $PEER_ARGS \
    --json "$OUT/numpy.json" --compare "$OUT/rust-1.json"

"$PYTHON" - "$OUT" "$rust1" "$rust2" "$rust1_user" "$rust2_user" << 'EOF'
import json, sys
out = sys.argv[1]
rust1, rust2, user1, user2 = map(float, sys.argv[2:])
peer = json.load(open(f"{out}/numpy.json"))
rust = json.load(open(f"{out}/rust-1.json"))
cells = peer["items"] * peer["periods"] * peer["trials"]
ns = lambda s: s * 1e9 / cells
npy, npy_cpu = peer["seconds"], peer["cpu_seconds"]
print(f"== {peer['items']} initiatives x {peer['periods']} periods x {peer['trials']:,} trials"
      f" = {cells / 1e6:,.0f} M initiative·period·trials")
print("                                              wall s   ns per cell   CPU s")
print(f"  numpy simulation (no start-up, no parsing) {npy:7.2f}   {ns(npy):8.1f}   {npy_cpu:7.2f}")
print(f"  rust --threads 1 (whole process)           {rust1:7.2f}   {ns(rust1):8.1f}   {user1:7.2f}")
print(f"  rust --threads 2 (whole process)           {rust2:7.2f}   {ns(rust2):8.1f}   {user2:7.2f}")
print(f"  ratio numpy / rust (wall): {npy / rust1:.1f}x (1 thread), {npy / rust2:.1f}x (2 threads);"
      f" CPU, 1 thread: {npy_cpu / user1:.1f}x")
print(f"  net value mean: numpy {peer['net_value']['mean']:,.0f}, rust {rust['strategies'][0]['net_value']['mean']:,.0f}")
EOF
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg); outputs kept in $OUT"
