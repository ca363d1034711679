# Sourced by the bench scripts (never run): log lines and fatal errors on stderr, stamped with
# the time and the name the script sets in `bench_name` before sourcing this file.
# shellcheck shell=bash

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "${bench_name:-bench}" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
