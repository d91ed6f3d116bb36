#!/usr/bin/env bash
# Keep one long-running process up: `scripts/supervise.sh NAME COMMAND [ARGS…]` runs COMMAND,
# and when it exits (a crash, an "Unrecoverable error", a kill) logs one line and starts it
# again after a back-off (1 s, doubling to 30 s; back to 1 s after a minute of running).
# SIGTERM or SIGINT (Ctrl-C in `make run`, honcho stopping) stops COMMAND and this loop.
# The Procfile wraps the Celery worker and beat in it, so honcho never sees them exit and
# never stops the whole product because one of them died.
set -u
name=$1
shift
child=
stopping=
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT
delay=1
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  # A signal that came between the start and `child=$!` found no child to stop: stop it now.
  [ -n "$stopping" ] && kill -TERM "$child" 2>/dev/null
  wait "$child"
  status=$?
  # `wait` returns early when a trapped signal arrives: wait for the child to finish.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
  [ -n "$stopping" ] && exit 0
  if [ $((SECONDS - started)) -ge 60 ]; then delay=1; fi
  echo "supervise: $name exited with status $status; restarting it in ${delay} s" >&2
  sleep "$delay" &
  wait $! || true
  [ -n "$stopping" ] && exit 0
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
