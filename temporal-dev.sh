#!/usr/bin/env bash
# Local development services for MLIP-AutoPipe Trainer:
#   - the Temporal dev server (gRPC 127.0.0.1:7233, Web UI http://127.0.0.1:8233), persistent SQLite file,
#     with the project's search attributes registered;
#   - the MongoDB-wire server (FerretDB + SQLite) on 127.0.0.1:27017.
# Usage: ./temporal-dev.sh up | down | status
# Data and logs live in .dev-data/ (git-ignored). `up` is idempotent; `down` stops only what `up` started.
# Ports: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), MONGO_PORT (27017).
#
# The services are defined once, in src/dev-services/ (the test harness and the benches start the same
# servers from there, in their ephemeral mode); this script installs what is missing and hands over.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = up ]; then
  MLIP_SETUP_QUIET=1 bash scripts/setup.sh
elif [ ! -d node_modules/tsx ]; then
  echo "error: node_modules/ is missing, so ./temporal-dev.sh cannot run: run './temporal-dev.sh up' (or 'npm run setup') first." >&2
  exit 1
fi
exec node --import tsx src/dev-services/cli.ts "$@"
