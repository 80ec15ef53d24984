#!/usr/bin/env bash
# Local development services for MLIP-AutoPipe Trainer:
#   - the Temporal dev server (gRPC 127.0.0.1:7233, Web UI http://127.0.0.1:8233), persistent SQLite file,
#     with the project's search attributes registered;
#   - the MongoDB-wire server (FerretDB + SQLite) on 127.0.0.1:27017.
# Usage: ./temporal-dev.sh up | down | status
# Data and logs live in .dev-data/ (git-ignored). `up` is idempotent; `down` stops only what `up` started.
# Ports: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), MONGO_PORT (27017).
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
data=$root/.dev-data
temporal_port=${TEMPORAL_PORT:-7233}
ui_port=${TEMPORAL_UI_PORT:-8233}
mongo_port=${MONGO_PORT:-27017}

# The search attributes the trainPotential workflow keeps current (see README, "Observability").
search_attributes=(MlipCampaign=Keyword MlipPhase=Keyword MlipDatasetSize=Int)

usage() {
  cat <<USAGE
Usage: ./temporal-dev.sh up | down | status

  up      install what is missing (scripts/setup.sh), start the Temporal dev server and the
          MongoDB-wire server if they are not running, wait until both answer
  down    stop the services that 'up' started (nothing else)
  status  say what runs, with addresses

Environment: TEMPORAL_PORT (default 7233), TEMPORAL_UI_PORT (8233), MONGO_PORT (27017).
Data and logs: .dev-data/
USAGE
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the pid of a service we started if it is still alive and still the same program.
running_pid() {
  local name=$1 pidfile=$data/$1.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$(cat "$data/$name.cmd")"; then
    echo "$pid"
  else
    rm -f "$pidfile"
    return 1
  fi
}

wait_for_port() {
  local name=$1 port=$2 pid=$3 log=$4
  for _ in $(seq 1 120); do
    port_open "$port" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited during start-up; the end of its log ($log):" >&2
      tail -n 20 "$log" >&2
      rm -f "$data/$name.pid"
      exit 1
    fi
    sleep 0.5
  done
  echo "error: $name did not answer on port $port within 60 s; see $log" >&2
  exit 1
}

# start NAME PORT MATCH CMD...  — MATCH identifies our process in /proc/PID/cmdline.
start() {
  local name=$1 port=$2 match=$3; shift 3
  local pid
  if pid=$(running_pid "$name"); then
    echo "$name: already running (pid $pid)"
    return 0
  fi
  if port_open "$port"; then
    echo "error: port $port is in use by another process, so $name cannot start." >&2
    echo "       Stop that process, or choose another port (see ./temporal-dev.sh --help)." >&2
    exit 1
  fi
  local log=$data/logs/$name.log
  echo "$match" >"$data/$name.cmd"
  # setsid: the service outlives this shell and gets its own process group, so 'down' can stop all of it.
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$data/$name.pid"
  wait_for_port "$name" "$port" "$pid" "$log"
  echo "$name: started (pid $pid)"
}

stop() {
  local name=$1 pid
  if ! pid=$(running_pid "$name"); then
    echo "$name: not running"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$data/$name.pid"
  echo "$name: stopped"
}

addresses() {
  echo
  echo "  Temporal gRPC  TEMPORAL_ADDRESS=127.0.0.1:$temporal_port (namespace default)"
  echo "  Temporal UI    http://127.0.0.1:$ui_port"
  echo "  MongoDB wire   MONGODB_URI=mongodb://127.0.0.1:$mongo_port"
}

cmd=${1:-}
case "$cmd" in
  up)
    MLIP_SETUP_QUIET=1 bash scripts/setup.sh
    mkdir -p "$data/logs" "$data/mongo"
    sa_flags=()
    for sa in "${search_attributes[@]}"; do sa_flags+=(--search-attribute "$sa"); done
    start temporal "$temporal_port" "server start-dev" \
      "$root/.venv/bin/temporal" server start-dev --ip 127.0.0.1 --port "$temporal_port" \
      --ui-port "$ui_port" --db-filename "$data/temporal.db" --ui-disable-news-fetch --log-level warn "${sa_flags[@]}"
    start mongo "$mongo_port" "mongo-wire-server" \
      "$root/.build/mongo-wire-server" --listen-addr "127.0.0.1:$mongo_port" --sqlite-dir "$data/mongo"
    addresses
    ;;
  down)
    stop temporal
    stop mongo
    ;;
  status)
    for name in temporal mongo; do
      if pid=$(running_pid "$name"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
    done
    addresses
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
