#!/usr/bin/env bash
# TEST DOUBLE (fast stand-in trainer): answers like pacemaker where the pipeline talks to it, in about a
# second and without fitting anything, so that load tests exercise the orchestration, not the fit.
#   --version          prints a version line (publishPotential records it)
#   --dry-run / -dr    accepts the input (exit 0)
#   otherwise          a "fit": appends "start <epoch-ms> <pid> <TF_NUM_INTRAOP_THREADS>" to $STANDIN_LEDGER, prints pacemaker-like
#                      progress lines, sleeps $STANDIN_FIT_SECONDS (default 1), writes output_potential.yaml
#                      (a real tiny Cu potential, reference energies in its metadata) and train_pred.pckl.gzip
#                      (pacemaker's own predictions of a real tiny fit, readable by
#                      python/mlip_autopipe/helpers/prediction_metrics.py), appends "end <epoch-ms> <pid>".
set -euo pipefail
fixtures="$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)"
for arg in "$@"; do
  case "$arg" in
    --version | -v)
      echo "pacemaker/pyace version: stand-in"
      exit 0
      ;;
    --dry-run | -dr) exit 0 ;;
  esac
done
ledger() { if [[ -n "${STANDIN_LEDGER:-}" ]]; then echo "$1 $(date +%s%3N) $$ ${TF_NUM_INTRAOP_THREADS:-unset}" >>"$STANDIN_LEDGER"; fi; }

ledger start
prefix="$(date '+%Y-%m-%d %H:%M:%S,000') - pyace.metrics_aggregator - INFO -"
echo "$prefix Initial state:#0    (1 evals):        Loss: 2.6400e-01 | RMSE Energy(low): 39.77 (39.77) meV/at | Forces(low): 540.47 (540.47) meV/A | Time/eval: 1.00 mcs/at"
sleep "$(awk "BEGIN { print ${STANDIN_FIT_SECONDS:-1} / 2 }")"
echo "$prefix Iteration   #1    (2 evals):      Loss: 1.2000e-01 | RMSE Energy(low): 30.12 (30.12) meV/at | Forces(low): 310.50 (310.50) meV/A | Time/eval: 1.00 mcs/at"
sleep "$(awk "BEGIN { print ${STANDIN_FIT_SECONDS:-1} / 2 }")"
echo "$prefix Iteration   #2    (3 evals):      Loss: 6.0000e-02 | RMSE Energy(low): 20.05 (20.05) meV/at | Forces(low): 150.25 (150.25) meV/A | Time/eval: 1.00 mcs/at"
# With the reference energies in its metadata, as pacemaker keeps them after `reference_energy: auto`.
sed 's/^metadata:$/metadata:\n  reference_energy: "{\\"Cu\\": -3.7, \\"shift\\": 0.0}"/' \
  "$fixtures/tiny-cu-potential.yaml" >output_potential.yaml
cp "$fixtures/tiny-cu-train-pred.pckl.gzip" train_pred.pckl.gzip
ledger end
