# Sourced by scripts/demo.sh and the bench scripts (never run): log lines and fatal errors on
# stderr, stamped with the time and the name the script sets in `script_name` before sourcing
# this file; and starting, checking and stopping the services a script runs.
# shellcheck shell=bash

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "${script_name:-candor}" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The services a script runs, by name (start_service fills it in); the script sets `log_dir`.
declare -A pid=()

# start_service NAME CMD...: starts CMD in its own session, output appended to LOG_DIR/NAME.log.
start_service() {
  local name=$1
  shift
  # shellcheck disable=SC2154 # log_dir is the sourcing script's
  setsid "$@" </dev/null >>"${log_dir}/${name}.log" 2>&1 &
  pid[${name}]=$!
}

# stop_service NAME PID: SIGTERM (a service drains: the gateway finishes its calls and flushes
# Kafka, the consumers commit), then SIGKILL if it is still there 30 s later. Only a pid whose
# command line is candor-NAME is signalled, so a stale pid cannot hit a stranger.
stop_service() {
  local name=$1 p=$2 i
  kill -0 "${p}" 2>/dev/null || return 0
  tr '\0' ' ' <"/proc/${p}/cmdline" 2>/dev/null | grep -qF "candor-${name}" || return 0
  log "stopping ${name} (pid ${p})"
  kill -TERM "${p}" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do
    kill -0 "${p}" 2>/dev/null || return 0
    sleep 0.1
  done
  log "warning: ${name} did not exit 30 s after SIGTERM; sending SIGKILL"
  kill -KILL "${p}" 2>/dev/null || true
}

# Dies with the log's tail if any started service has exited.
check_services() {
  local name
  for name in "${!pid[@]}"; do
    if ! kill -0 "${pid[${name}]}" 2>/dev/null; then
      tail -n 25 "${log_dir}/${name}.log" >&2
      die "${name} exited (log above)"
    fi
  done
}
