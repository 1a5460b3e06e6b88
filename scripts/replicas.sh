#!/usr/bin/env bash
# Several replicas of the app behind nginx with sticky sessions, on this one machine, without
# Docker: to try the replica setup (deploy/nginx.conf), or for a teacher with one big machine.
#
#   scripts/replicas.sh start [--replicas 2] [--port 8080] [--host 127.0.0.1]   # in the background
#   scripts/replicas.sh status
#   scripts/replicas.sh stop       # stops nginx and every replica that `start` started
#   scripts/replicas.sh run [...]  # the same in the foreground; Ctrl-C stops everything
#
# Needs nginx (Debian/Ubuntu: sudo apt-get install nginx); it runs as you, not as a daemon, with
# its pid, logs and temp files in $PLAYGROUND_REPLICAS_DIR (default: a folder in /tmp). Every
# PLAYGROUND_* environment variable is passed on to the replicas.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${PLAYGROUND_REPLICAS_DIR:-${TMPDIR:-/tmp}/playground-replicas-$(id -un)}
pid_file=$state/runner.pid

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start)
    if running; then
      echo "Already running (pid $(cat "$pid_file")); see $state/runner.log" >&2
      exit 1
    fi
    [ -x .venv/bin/python ] || bash scripts/setup.sh requirements.txt  # first use: create .venv
    mkdir -p "$state"
    rm -f "$state/ready"
    nohup .venv/bin/python deploy/run_replicas.py --work-dir "$state" "$@" >"$state/runner.log" 2>&1 &
    echo $! >"$pid_file"
    for _ in $(seq 1 360); do
      if [ -f "$state/ready" ]; then
        cat "$state/runner.log"
        exit 0
      fi
      if ! running; then
        echo "The replicas did not start:" >&2
        cat "$state/runner.log" >&2
        rm -f "$pid_file"
        exit 1
      fi
      sleep 0.5
    done
    echo "Not ready after 180 s; stopping. Log: $state/runner.log" >&2
    "$0" stop
    exit 1
    ;;
  stop)
    if ! running; then
      echo "Not running."
      rm -f "$pid_file"
      exit 0
    fi
    pid=$(cat "$pid_file")
    kill -TERM "$pid"  # the runner stops nginx and the replicas (process groups) before it exits
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    # Last resort: its children are told to stop when it dies (PR_SET_PDEATHSIG).
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    rm -f "$pid_file"
    echo "Stopped."
    ;;
  status)
    if running; then cat "$state/runner.log"; else echo "Not running."; exit 3; fi
    ;;
  run)
    [ -x .venv/bin/python ] || bash scripts/setup.sh requirements.txt
    exec .venv/bin/python deploy/run_replicas.py "$@"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
