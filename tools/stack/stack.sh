#!/usr/bin/env bash
# The local Candor stack in one command: Redis, PostgreSQL 15 and candor-dev-kafka, all on
# 127.0.0.1, all daemonised with pid files and logs under one directory. Several stacks (other
# ports, other directories) can run side by side, which is what parallel tests do.
#
# Layout of the stack directory:
#   stack.conf          ports of the stack living here (also marks the directory as a stack's)
#   redis/              redis.pid, redis.log, the append-only file
#   pg/                 owned by postgres: data/, postgres.log, initdb.log
#   kafka/              kafka.pid, kafka.log, bootstrap (the ready file)
#
# Progress goes to stderr; stdout carries only the `env` exports, so `eval "$(stack.sh up)"` works.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "${script_dir}/../.." && pwd)

usage() {
  cat <<EOF
Usage: $(basename "$0") up|down|status|env [options]
       $(basename "$0") exec [options] -- COMMAND [ARG...]

Commands:
  up       start Redis, PostgreSQL (database 'candor', migrated) and candor-dev-kafka, wait
           until each answers, then print the env exports; does nothing if already up
  down     stop all three; idempotent. With --purge also delete the stack directory
  status   one line per component; exit 0 only if all are up
  env      print 'export CANDOR_...=' lines: eval "\$($(basename "$0") env)"
  exec     run COMMAND with CANDOR_REDIS_ADDR, CANDOR_PG_DSN and CANDOR_KAFKA_BROKERS of the
           stack set: how ctest runs every test that needs the stack

Options (each also from the environment variable shown):
  --dir DIR          stack directory            CANDOR_STACK_DIR         (${repo_root}/.stack)
  --redis-port N     Redis port                 CANDOR_REDIS_PORT        (6390)
  --pg-port N        PostgreSQL port            CANDOR_PG_PORT           (5440)
  --kafka-port N     Kafka bootstrap port       CANDOR_KAFKA_PORT        (9093)
  --partitions N     partitions per topic       CANDOR_KAFKA_PARTITIONS  (4)
  --dev-kafka BIN    candor-dev-kafka binary    CANDOR_DEV_KAFKA_BIN
                     (${repo_root}/build/dev/tools/dev-kafka/candor-dev-kafka)
  --purge            with 'down': also delete the stack directory
  --help             print this help and exit

Ports not given by flag or environment are taken from DIR/stack.conf when a stack was already
set up there, so 'status', 'env', 'exec' and 'down' need only --dir. A port given as 'auto' is
the one recorded in DIR/stack.conf, or, on the first 'up' there, a free port picked at random
(20000-32767, below Linux's ephemeral range): what the test stacks use, so two build trees and
two CI runs on one machine never share a port.
EOF
}

log() { printf '%s stack: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Reports a failed component with the tail of its log and exits.
fail_component() {
  local component=$1 logfile=$2 message=$3
  log "error: ${component}: ${message}"
  if [[ -s ${logfile} ]]; then
    echo "----- last 20 lines of ${logfile} -----" >&2
    tail -n 20 "${logfile}" >&2
    echo "-----" >&2
  fi
  log "the other components are left as they are; '$(basename "$0") down' stops them"
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Arguments and configuration

command=""
purge=0
exec_argv=()
declare -A flag=()
while (($# > 0)); do
  case $1 in
    --help | -h) usage; exit 0 ;;
    --purge) purge=1; shift ;;
    --dir | --redis-port | --pg-port | --kafka-port | --partitions | --dev-kafka)
      (($# >= 2)) || die "$1 needs a value"
      flag[${1#--}]=$2
      shift 2
      ;;
    --dir=* | --redis-port=* | --pg-port=* | --kafka-port=* | --partitions=* | --dev-kafka=*)
      key=${1%%=*}
      flag[${key#--}]=${1#*=}
      shift
      ;;
    up | down | status | env | exec)
      [[ -z ${command} ]] || die "only one command, got '${command}' and '$1'"
      command=$1
      shift
      ;;
    --)
      [[ ${command} == exec ]] || die "'--' only goes with 'exec'"
      shift
      exec_argv=("$@")
      break
      ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ -n ${command} ]] || { usage >&2; die "missing command"; }
((purge == 0)) || [[ ${command} == down ]] || die "--purge only goes with 'down'"
[[ ${command} != exec ]] || ((${#exec_argv[@]} > 0)) || die "exec needs '-- COMMAND'"

stack_dir=${flag[dir]:-${CANDOR_STACK_DIR:-${repo_root}/.stack}}
[[ -n ${stack_dir} ]] || die "empty --dir"
# Absolute, because PostgreSQL and the daemons do not run from our working directory.
stack_dir=$(realpath -m -- "${stack_dir}")
[[ ${stack_dir} != / ]] || die "refusing to use / as the stack directory"
conf_file=${stack_dir}/stack.conf

# Values recorded by an earlier 'up' in this directory (KEY=VALUE lines, read, never sourced).
declare -A recorded=()
if [[ -f ${conf_file} ]]; then
  while IFS='=' read -r key value; do
    [[ ${key} =~ ^[A-Z_]+$ ]] && recorded[${key}]=${value}
  done <"${conf_file}"
fi

# Precedence: flag, then environment, then stack.conf, then the default.
setting() {
  local flag_name=$1 env_name=$2 default=$3
  if [[ -n ${flag[${flag_name}]:-} ]]; then
    echo "${flag[${flag_name}]}"
  elif [[ -n ${!env_name:-} ]]; then
    echo "${!env_name}"
  elif [[ -n ${recorded[${env_name}]:-} ]]; then
    echo "${recorded[${env_name}]}"
  else
    echo "${default}"
  fi
}

# A port that nothing listens on now: random in 20000-32767 (below the kernel's ephemeral range,
# so an outgoing connection cannot take it before the daemon binds it), checked by binding it.
# Ports already chosen for this stack are passed as arguments and skipped.
pick_free_port() {
  python3 - "$@" <<'PY'
import random, socket, sys
taken = {int(p) for p in sys.argv[1:]}
for _ in range(200):
    port = random.randint(20000, 32767)
    if port in taken:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    sys.exit(0)
sys.exit("no free port found in 20000-32767")
PY
}

# 'auto': the port this directory's stack recorded, else (first 'up' only) a free one.
resolve_port() {
  local value=$1 env_name=$2
  shift 2
  if [[ ${value} != auto ]]; then
    echo "${value}"
  elif [[ -n ${recorded[${env_name}]:-} ]]; then
    echo "${recorded[${env_name}]}"
  elif [[ ${command} == up ]]; then
    pick_free_port "$@" || die "cannot pick a free port"
  else
    die "no stack was set up in ${stack_dir}, so its 'auto' ports are unknown"
  fi
}

# A stack that was never set up here has no ports to resolve 'auto' to, and nothing to stop.
if [[ ! -f ${conf_file} ]] && [[ ${command} == down || ${command} == status ]]; then
  log "no stack in ${stack_dir}"
  [[ ${command} == down ]] && exit 0
  exit 1
fi

redis_port=$(resolve_port "$(setting redis-port CANDOR_REDIS_PORT 6390)" CANDOR_REDIS_PORT)
pg_port=$(resolve_port "$(setting pg-port CANDOR_PG_PORT 5440)" CANDOR_PG_PORT "${redis_port}")
kafka_port=$(resolve_port "$(setting kafka-port CANDOR_KAFKA_PORT 9093)" CANDOR_KAFKA_PORT \
  "${redis_port}" "${pg_port}")
partitions=$(setting partitions CANDOR_KAFKA_PARTITIONS 4)
dev_kafka_bin=${flag[dev-kafka]:-${CANDOR_DEV_KAFKA_BIN:-${repo_root}/build/dev/tools/dev-kafka/candor-dev-kafka}}

for pair in "redis-port:${redis_port}" "pg-port:${pg_port}" "kafka-port:${kafka_port}"; do
  value=${pair#*:}
  if ! [[ ${value} =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "--${pair%%:*} must be a port number 1..65535, got '${value}'"
  fi
done
if ! [[ ${partitions} =~ ^[0-9]+$ ]] || ((partitions < 1 || partitions > 1024)); then
  die "--partitions must be 1..1024, got '${partitions}'"
fi
((redis_port != pg_port && redis_port != kafka_port && pg_port != kafka_port)) ||
  die "the Redis, PostgreSQL and Kafka ports must differ"

redis_dir=${stack_dir}/redis
redis_pidfile=${redis_dir}/redis.pid
redis_log=${redis_dir}/redis.log
pg_dir=${stack_dir}/pg
pg_data=${pg_dir}/data
pg_log=${pg_dir}/postgres.log
kafka_dir=${stack_dir}/kafka
kafka_pidfile=${kafka_dir}/kafka.pid
kafka_log=${kafka_dir}/kafka.log
kafka_ready=${kafka_dir}/bootstrap

pg_bin=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x ${pg_bin}/pg_ctl ]]; then
  pg_bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
fi

# ---------------------------------------------------------------------------------------------
# Helpers

# Runs a PostgreSQL server command as the postgres user: initdb and postgres refuse to run as
# root. `cd /` because postgres cannot read root's working directory and would complain.
as_postgres() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# A zombie counts as dead: daemons outlive the stack.sh that started them, and an init that is slow
# to reap would otherwise make `down` wait for a process that has already exited.
pid_alive() {
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

read_pid() { cat "$1" 2>/dev/null || true; }

# The pid in `pidfile` if that process is alive and its command line contains `marker`. The
# marker check keeps a stale pid file (reboot, kill -9) from making us signal a stranger.
our_pid() {
  local pidfile=$1 marker=$2 pid
  pid=$(read_pid "${pidfile}")
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  pid_alive "${pid}" || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "${marker}" || return 1
  echo "${pid}"
}

# Sends SIGTERM, waits up to `seconds`, then SIGKILL.
stop_pid() {
  local pid=$1 seconds=$2 name=$3 i
  kill -TERM "${pid}" 2>/dev/null || return 0
  for ((i = 0; i < seconds * 10; i++)); do
    pid_alive "${pid}" || return 0
    sleep 0.1
  done
  log "${name} (pid ${pid}) ignored SIGTERM for ${seconds}s, sending SIGKILL"
  kill -KILL "${pid}" 2>/dev/null || true
}

# Redis rewrites its command line to "redis-server ADDR", but it runs in its --dir: that tells this
# stack's Redis from another stack's.
redis_pid() {
  local pid
  pid=$(our_pid "${redis_pidfile}" redis-server) || return 1
  [[ $(readlink "/proc/${pid}/cwd" 2>/dev/null) == "${redis_dir}" ]] || return 1
  echo "${pid}"
}
kafka_pid() { our_pid "${kafka_pidfile}" "${kafka_ready}"; }

# Healthy means: answers on its port and is the instance of this directory, not another stack's.
redis_healthy() {
  redis_pid >/dev/null || return 1
  local dir
  dir=$(timeout 5 redis-cli -h 127.0.0.1 -p "${redis_port}" config get dir 2>/dev/null | sed -n 2p)
  [[ ${dir} == "${redis_dir}" ]]
}

pg_psql() {
  timeout 10 "${pg_bin}/psql" -X -q -h 127.0.0.1 -p "${pg_port}" -U postgres "$@"
}

# Like `pg_ctl status`, but a postmaster that was killed and not yet reaped counts as dead.
pg_running() {
  local pid
  pid=$(head -n 1 "${pg_data}/postmaster.pid" 2>/dev/null) || return 1
  [[ ${pid} =~ ^[0-9]+$ ]] && pid_alive "${pid}"
}

# After a kill -9 the postmaster's pid can linger as a zombie until init reaps it, and postgres
# refuses to start while the pid in postmaster.pid exists. Wait for it to go; if it will not, it
# is dead anyway (a zombie), and the stale lock file can be removed.
pg_clear_stale_pidfile() {
  local pid i
  pid=$(head -n 1 "${pg_data}/postmaster.pid" 2>/dev/null) || return 0
  [[ ${pid} =~ ^[0-9]+$ ]] || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 0.1
  done
  log "postgres: postmaster ${pid} is dead but not reaped; removing its stale postmaster.pid"
  rm -f "${pg_data}/postmaster.pid"
}

pg_healthy() {
  pg_running || return 1
  "${pg_bin}/pg_isready" -q -h 127.0.0.1 -p "${pg_port}" -U postgres -t 5 || return 1
  [[ $(pg_psql -d postgres -tA -c 'SHOW data_directory' 2>/dev/null) == "${pg_data}" ]] || return 1
  [[ $(pg_psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'candor'" \
    2>/dev/null) == 1 ]]
}

kafka_healthy() {
  kafka_pid >/dev/null || return 1
  [[ -s ${kafka_ready} ]] || return 1
  timeout 10 kcat -b "127.0.0.1:${kafka_port}" -L -m 5 >/dev/null 2>&1
}

# Waits up to `seconds` for `check` to succeed. If `pid_check` stops succeeding first (the
# process died), gives up at once.
wait_for() {
  local seconds=$1 check=$2 pid_check=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    "${check}" && return 0
    if ((i >= 5)) && ! "${pid_check}" >/dev/null; then
      "${check}" && return 0
      return 1
    fi
    sleep 0.1
  done
  return 1
}

print_env() {
  echo "export CANDOR_REDIS_ADDR=127.0.0.1:${redis_port}"
  echo "export CANDOR_PG_DSN=postgresql://postgres@127.0.0.1:${pg_port}/candor"
  echo "export CANDOR_KAFKA_BROKERS=127.0.0.1:${kafka_port}"
}

any_running() {
  redis_pid >/dev/null || pg_running || kafka_pid >/dev/null
}

# Serialises commands on one stack directory (two tests calling `up` at once). Every daemon is
# started with fd 9 closed, or it would hold the lock for its whole life.
lock_stack_dir() {
  exec 9>"${stack_dir}/.lock"
  flock -w 120 9 || die "timed out waiting for another stack.sh working on ${stack_dir}"
}

# ---------------------------------------------------------------------------------------------
# up

up_redis() {
  if redis_healthy; then
    log "redis: already up on 127.0.0.1:${redis_port}"
    return
  fi
  if ! redis_pid >/dev/null; then
    mkdir -p "${redis_dir}"
    rm -f "${redis_pidfile}"
    log "redis: starting on 127.0.0.1:${redis_port}"
    # shellcheck disable=SC2094 # redis-server's own output and its log both append to the log.
    # No RDB snapshots; the append-only file, fsynced every second, is what survives a kill -9
    # in the reliability tests.
    redis-server --port "${redis_port}" --bind 127.0.0.1 --daemonize yes \
      --dir "${redis_dir}" --pidfile "${redis_pidfile}" --logfile "${redis_log}" \
      --save '' --appendonly yes --appendfsync everysec \
      </dev/null >>"${redis_log}" 2>&1 9>&- ||
      fail_component redis "${redis_log}" "redis-server did not start"
  fi
  # Until the daemon has written its pid file, redis_pid fails too; hence wait_for's grace period.
  if ! wait_for 10 redis_healthy redis_pid; then
    redis_pid >/dev/null || fail_component redis "${redis_log}" "redis-server exited"
    fail_component redis "${redis_log}" "no answer on 127.0.0.1:${redis_port} within 10 s"
  fi
  log "redis: up (pid $(redis_pid))"
}

up_postgres() {
  if pg_healthy; then
    log "postgres: already up on 127.0.0.1:${pg_port}"
  else
    [[ -x ${pg_bin}/pg_ctl ]] || die "PostgreSQL server binaries not found (set CANDOR_PG_BIN)"
    mkdir -p "${pg_dir}"
    if ((EUID == 0)); then
      chown postgres:postgres "${pg_dir}"
      as_postgres test -x "${pg_dir}" ||
        die "user postgres cannot reach ${pg_dir}: every parent directory needs o+x"
    fi
    chmod 700 "${pg_dir}"

    if [[ ! -f ${pg_data}/PG_VERSION ]]; then
      # A data directory without PG_VERSION is what an interrupted initdb leaves; start over.
      rm -rf "${pg_data}"
      log "postgres: initdb ${pg_data}"
      as_postgres "${pg_bin}/initdb" -D "${pg_data}" -A trust -U postgres --encoding=UTF8 \
        --locale=C.UTF-8 >"${pg_dir}/initdb.log" 2>&1 9>&- ||
        fail_component postgres "${pg_dir}/initdb.log" "initdb failed"
    fi

    if ! pg_running; then
      pg_clear_stale_pidfile
      log "postgres: starting on 127.0.0.1:${pg_port}"
      # The server appends to the log as postgres and pg_ctl's own errors are appended here as
      # root, so the file must exist and belong to postgres before either writes.
      touch "${pg_log}"
      ((EUID != 0)) || chown postgres:postgres "${pg_log}"
      # shellcheck disable=SC2094 # pg_ctl's complaints go next to the server's log lines.
      # No Unix socket: paths of stacks deep in temp directories can exceed its 107-byte limit,
      # and everything connects over TCP anyway.
      as_postgres "${pg_bin}/pg_ctl" start -D "${pg_data}" -l "${pg_log}" -w -t 60 \
        -o "-p ${pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=on -c max_connections=200" \
        </dev/null >/dev/null 2>>"${pg_log}" 9>&- ||
        fail_component postgres "${pg_log}" "pg_ctl start failed (port in use?)"
    fi
    local i
    for ((i = 0; i < 300; i++)); do
      "${pg_bin}/pg_isready" -q -h 127.0.0.1 -p "${pg_port}" -U postgres -t 1 && break
      sleep 0.1
    done
    [[ $(pg_psql -d postgres -tA -c 'SHOW data_directory' 2>/dev/null) == "${pg_data}" ]] ||
      fail_component postgres "${pg_log}" "no answer on 127.0.0.1:${pg_port} from ${pg_data}"

    if [[ -z $(pg_psql -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = 'candor'") ]]
    then
      log "postgres: creating database candor"
      pg_psql -d postgres -v ON_ERROR_STOP=1 -c 'CREATE DATABASE candor' >&2 ||
        fail_component postgres "${pg_log}" "cannot create database candor"
    fi
  fi
  # Always migrate: cheap when up to date, and it picks up migrations added since the last 'up'.
  "${script_dir}/migrate.sh" --dsn "postgresql://postgres@127.0.0.1:${pg_port}/candor" \
    --dir "${repo_root}/db/migrations" >&2 9>&- ||
    fail_component postgres "${pg_log}" "migrations failed (see above)"
  log "postgres: up"
}

# Starts the broker in the background without waiting, so its startup overlaps with initdb.
start_kafka() {
  [[ -x ${dev_kafka_bin} ]] ||
    die "candor-dev-kafka not found at ${dev_kafka_bin}; build it first" \
      "(cmake --preset dev && cmake --build --preset dev --target candor-dev-kafka)" \
      "or pass --dev-kafka BIN"
  mkdir -p "${kafka_dir}"
  rm -f "${kafka_ready}" "${kafka_pidfile}"
  log "kafka: starting ${dev_kafka_bin} on 127.0.0.1:${kafka_port}"
  # setsid: its own session, so a Ctrl-C or hang-up aimed at the caller's terminal or process
  # group does not take the broker down with it. Without job control the background job is not
  # a group leader, so setsid does not fork and $! is the broker's pid.
  setsid nohup "${dev_kafka_bin}" --port "${kafka_port}" --partitions "${partitions}" \
    --ready-file "${kafka_ready}" </dev/null >>"${kafka_log}" 2>&1 9>&- &
  echo $! >"${kafka_pidfile}"
}

kafka_ready_file_present() { [[ -s ${kafka_ready} ]]; }

# Waits for a broker started by start_kafka (or still starting from an earlier run).
wait_kafka() {
  if ! wait_for 15 kafka_ready_file_present kafka_pid; then
    kafka_pid >/dev/null || fail_component kafka "${kafka_log}" "candor-dev-kafka exited"
    fail_component kafka "${kafka_log}" "not ready within 15 s"
  fi
  kafka_healthy ||
    fail_component kafka "${kafka_log}" "kcat cannot list topics on 127.0.0.1:${kafka_port}"
  log "kafka: up (pid $(kafka_pid))"
}

cmd_up() {
  mkdir -p "${stack_dir}"
  chmod 755 "${stack_dir}"
  lock_stack_dir
  if ((${#recorded[@]} > 0)) && any_running; then
    local want="${redis_port}/${pg_port}/${kafka_port}/${partitions}"
    local have="${recorded[CANDOR_REDIS_PORT]:-}/${recorded[CANDOR_PG_PORT]:-}"
    have+="/${recorded[CANDOR_KAFKA_PORT]:-}/${recorded[CANDOR_KAFKA_PARTITIONS]:-}"
    [[ ${want} == "${have}" ]] ||
      die "the stack in ${stack_dir} runs with redis/pg/kafka ports and partitions ${have}," \
        "not ${want}; run 'down' first or use another --dir"
  fi
  cat >"${conf_file}" <<EOF
CANDOR_REDIS_PORT=${redis_port}
CANDOR_PG_PORT=${pg_port}
CANDOR_KAFKA_PORT=${kafka_port}
CANDOR_KAFKA_PARTITIONS=${partitions}
EOF

  local started=${SECONDS}
  if redis_healthy && pg_healthy && kafka_healthy; then
    log "stack in ${stack_dir} is already up"
  else
    local kafka_was_up=0
    if kafka_healthy; then
      kafka_was_up=1
    elif ! kafka_pid >/dev/null; then
      start_kafka
    fi
    up_redis
    up_postgres
    if ((kafka_was_up)); then
      log "kafka: already up on 127.0.0.1:${kafka_port}"
    else
      wait_kafka
    fi
    log "stack in ${stack_dir} is up ($((SECONDS - started)) s)"
  fi
  print_env
}

# ---------------------------------------------------------------------------------------------
# down, status

cmd_down() {
  if [[ ! -d ${stack_dir} ]]; then
    log "no stack in ${stack_dir}"
    return
  fi
  if [[ ! -f ${conf_file} ]] && [[ -n $(ls -A "${stack_dir}") ]]; then
    die "${stack_dir} does not look like a stack directory (no stack.conf); not touching it"
  fi
  lock_stack_dir

  local pid
  if pid=$(kafka_pid); then
    log "kafka: stopping (pid ${pid})"
    stop_pid "${pid}" 10 kafka
  fi
  rm -f "${kafka_pidfile}" "${kafka_ready}"

  # SIGTERM makes Redis flush the append-only file and exit; with no save points it writes no
  # snapshot, the same as SHUTDOWN NOSAVE. Signalling the pid, not a port, cannot hit another
  # stack's Redis.
  if pid=$(redis_pid); then
    log "redis: stopping (pid ${pid})"
    stop_pid "${pid}" 10 redis
  fi
  rm -f "${redis_pidfile}"

  if pg_running; then
    log "postgres: stopping"
    as_postgres "${pg_bin}/pg_ctl" stop -D "${pg_data}" -m fast -w -t 60 >/dev/null 9>&- ||
      log "warning: pg_ctl stop failed; see ${pg_log}"
  fi

  if ((purge)); then
    exec 9>&-
    rm -rf -- "${stack_dir}"
    log "removed ${stack_dir}"
  fi
  log "stack in ${stack_dir} is down"
}

cmd_status() {
  local ok=0 pid
  if redis_healthy; then
    printf '%-9s up    127.0.0.1:%s  pid %s\n' redis "${redis_port}" "$(redis_pid)"
  else
    printf '%-9s down  127.0.0.1:%s\n' redis "${redis_port}"
    ok=1
  fi
  if pg_healthy; then
    pid=$(head -n 1 "${pg_data}/postmaster.pid" 2>/dev/null || true)
    printf '%-9s up    127.0.0.1:%s  pid %s\n' postgres "${pg_port}" "${pid}"
  else
    printf '%-9s down  127.0.0.1:%s\n' postgres "${pg_port}"
    ok=1
  fi
  if kafka_healthy; then
    printf '%-9s up    127.0.0.1:%s  pid %s\n' kafka "${kafka_port}" "$(kafka_pid)"
  else
    printf '%-9s down  127.0.0.1:%s\n' kafka "${kafka_port}"
    ok=1
  fi
  return "${ok}"
}

case ${command} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) print_env ;;
  exec)
    export CANDOR_REDIS_ADDR=127.0.0.1:${redis_port}
    export CANDOR_PG_DSN=postgresql://postgres@127.0.0.1:${pg_port}/candor
    export CANDOR_KAFKA_BROKERS=127.0.0.1:${kafka_port}
    exec "${exec_argv[@]}"
    ;;
esac
