#!/usr/bin/env bash
# npm run demo: the main job end to end on the embedded defaults.
#   1. set-up (scripts/setup.sh) and the local services (./temporal-dev.sh up; left running afterwards)
#   2. a demo campaign from the mocked DFT factory (mlip-train seed-demo; idempotent)
#   3. a worker for this host (stopped again at the end)
#   4. a training (mlip-train start --wait) with live progress, then the potential, its errors, its
#      registry id, its learning curve and the Web UI link
# `npm run demo:loop` (this script with the argument `loop`) runs the active-learning loop instead of step 2
# and 4: three generations of train → explore by MD in LAMMPS → select → label (mlip-train loop-demo, on EMT
# copper unless DEMO_LABELLER says otherwise), with the held-out error and extrapolative MD share of each.
# Environment: DEMO_LABELLER (kumagai-si: diverse silicon from a many-body potential; erhart-albe-sic:
# silicon-carbon across compositions; or emt: copper from ASE's EMT), DEMO_CAMPAIGN (demo-si / demo-sic /
# demo-cu), DEMO_STRUCTURES (80), DEMO_ITERATIONS (100), plus the usual TEMPORAL_ADDRESS / MONGODB_URI / MLIP_* settings (see docs/operations.md).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-train}
case "$mode" in train|loop) ;; *) echo "usage: scripts/demo.sh [train|loop]" >&2; exit 2 ;; esac
if [ "$mode" = loop ]; then labeller=${DEMO_LABELLER:-emt}; else labeller=${DEMO_LABELLER:-kumagai-si}; fi
case "$labeller" in
  kumagai-si) default_campaign=demo-si; labelled="diverse silicon structures labelled by the Kumagai many-body potential" ;;
  erhart-albe-sic) default_campaign=demo-sic; labelled="silicon-carbon structures across compositions labelled by the Erhart-Albe potential" ;;
  emt) default_campaign=demo-cu; labelled="EMT-labelled Cu structures" ;;
  *) echo "DEMO_LABELLER must be kumagai-si, erhart-albe-sic or emt, got '$labeller'" >&2; exit 2 ;;
esac
campaign=${DEMO_CAMPAIGN:-$default_campaign}
structures=${DEMO_STRUCTURES:-80}
# The trainer's defaults throughout (tensorpot, 300 functions per element, 10 % held out), except a short
# iteration budget so that the demo ends in a few minutes; a production fit runs the default 500.
iterations=${DEMO_ITERATIONS:-100}
log_dir=.dev-data/logs
mlip() { node bin/mlip-train.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/$([ "$mode" = loop ] && echo 3 || echo 4) set-up and local services"
./temporal-dev.sh up

start_worker() {
  mkdir -p "$log_dir"
  node --import tsx worker/main.ts >>"$log_dir/demo-worker.log" 2>&1 &
  worker=$!
  trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null || true' EXIT
  sleep 1
  kill -0 $worker 2>/dev/null || { echo "the worker did not start; see $log_dir/demo-worker.log" >&2; exit 1; }
  echo "worker pid $worker (log: $log_dir/demo-worker.log)"
}

if [ "$mode" = loop ]; then
  step "2/3 worker for this host"
  start_worker
  step "3/3 active-learning loop on $labeller: train → explore by MD (LAMMPS) → select → label, three generations"
  mlip loop-demo --labeller "$labeller" ${DEMO_CAMPAIGN:+--campaign "$DEMO_CAMPAIGN"}
  ui=${TEMPORAL_UI_URL:-http://127.0.0.1:8233}
  echo
  echo "The rounds in the Web UI: $ui/namespaces/${TEMPORAL_NAMESPACE:-default}/workflows (loop-demo-…-g1, g2, g3)."
  echo "Done. The local services keep running (./temporal-dev.sh down stops them); the worker has been stopped."
  exit 0
fi

step "2/4 demo campaign '$campaign': $structures $labelled (mocked DFT factory)"
mlip seed-demo --labeller "$labeller" --campaign "$campaign" --count "$structures" --append

step "3/4 worker for this host"
start_worker

step "4/4 training: pacemaker, $iterations iterations"
workflow_id="demo-$campaign-$(date -u +%Y%m%dT%H%M%SZ)"
if ! mlip start --campaign "$campaign" --max-iterations "$iterations" --workflow-id "$workflow_id" --wait; then
  echo >&2
  echo "The demo training did not complete. Details: mlip-train status $workflow_id" >&2
  echo "Worker log: $log_dir/demo-worker.log" >&2
  exit 1
fi

step "the published potential"
mlip potentials --name "$campaign"
mlip potentials --show "$campaign"
ui=${TEMPORAL_UI_URL:-http://127.0.0.1:8233}
cat <<DONE

The run in the Web UI: $ui/namespaces/${TEMPORAL_NAMESPACE:-default}/workflows/$workflow_id
Done. Still running: the Temporal dev server (Web UI http://127.0.0.1:8233) and the MongoDB-wire server;
stop them with ./temporal-dev.sh down. The worker has been stopped.
DONE
