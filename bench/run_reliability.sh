#!/usr/bin/env bash
# The reliability target of design.md section 7: submissions flow through the whole write path
# while the consumers, Redis and PostgreSQL are killed with SIGKILL and restarted (and Redis is
# also frozen with SIGSTOP), one after the other; afterwards nothing accepted is lost, nothing is counted twice and nothing drifts.
# Builds nothing; starts a stack of its own on its own ports and the three services, runs
# candor-drive (which keeps every accepted review id and checks them against PostgreSQL), kills
# and restarts, then checks the invariants itself and writes bench/results/<date>/HHMMSS-*.
set -euo pipefail

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"  # sets repo_root
cd "${repo_root}"

usage() {
  cat <<'EOF'
Usage: bench/run_reliability.sh [options]

Expects the release preset built:  cmake --preset release && cmake --build --preset release
Starts Redis / PostgreSQL / dev Kafka on 6795 / 5795 / 9795 (--ports) and the three services,
then sends --count generated submissions at --rate with candor-drive. Every --kill-every-s, it
hits one of fraud-scorer, Redis (SIGSTOP: frozen for max(--down-s, 3) s, past the gateway's 2 s
Redis timeout), Redis (SIGKILL), rating-aggregator and PostgreSQL in turn; a killed one is
restarted --down-s later. Afterwards it waits for the read side and checks:
  lost            accepted (OK) review ids without a row in reviews (candor-drive's check)
  double-counted  products whose product_ratings differ from the sums over their counted
                  reviews (I2: a review summed twice, or a counted one missing)
  uncounted       active reviews the aggregator has not counted once everything drained
  drift           products whose Redis rating hash differs from product_ratings (I3), and
                  summaries that disagree with the reviews table (candor-drive's check)
Exit 0 only if all four are 0.

Options:
  --count N          submissions in all (default 1000000; about 1 KB of memory each)
  --rate R           submissions per second (default 2000)
  --kill-every-s N   seconds between kills (default 40)
  --down-s N         seconds a killed component stays down (default 3)
  --build-dir DIR    binaries (default build/release)
  --out DIR          results (default bench/results/<YYYY-MM-DD>, files prefixed HHMMSS-)
  --ports R,P,K,G    Redis, PostgreSQL, Kafka and gateway ports (default 6795,5795,9795,50795)
  --keep             leave the stack directory behind
  --help             this text

The dev broker keeps 5 MB per partition (tools/dev-kafka/README.md): a consumer down for long
at a high rate would lose its oldest messages to retention, so keep --rate x (--down-s + about
10 s for the group to settle) well under 40,000 submissions.
EOF
}

count=1000000
rate=2000
kill_every=40
down_s=3
build_dir=build/release
out_dir=""
keep=0
ports=6795,5795,9795,50795
parse_options --count=count --rate=rate --kill-every-s=kill_every --down-s=down_s \
  --build-dir=build_dir --out=out_dir --ports=ports --keep:keep=1 -- "$@"
for v in count rate kill_every down_s; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v//_/-} must be a positive integer"
done

set_ports "${ports}"
write_path_binaries "${build_dir}"
((${#missing_bins[@]} == 0)) || die "missing ${missing_bins[0]}: build the release preset first" \
  "(cmake --preset release && cmake --build --preset release)"
require_commands redis-cli jq psql

stamp=$(date +%H%M%S)
out_dir=${out_dir:-bench/results/$(date +%F)}
mkdir -p "${out_dir}"
result() { echo "${out_dir}/${stamp}-$1"; }

stack_dir=$(mktemp -d /tmp/candor-reliability.XXXXXX)
chmod 755 "${stack_dir}" # PostgreSQL runs as postgres when we are root
log_dir=${stack_dir}/logs
mkdir -p "${log_dir}"
stack=(tools/stack/stack.sh --dir "${stack_dir}" --redis-port "${redis_port}" --pg-port "${pg_port}"
  --kafka-port "${kafka_port}" --dev-kafka "${kafka_bin}")
stack_started=0
chaos_pid=""
# A consumer the chaos restarted is known by its pid file only (the chaos runs in a subshell).
adopt_restarted() {
  local name
  for name in fraud-scorer rating-aggregator; do
    [[ -f ${stack_dir}/${name}.pid ]] && pid[${name}]=$(cat "${stack_dir}/${name}.pid")
  done
  return 0
}

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  [[ -z ${chaos_pid} ]] || kill "${chaos_pid}" 2>/dev/null || true
  adopt_restarted
  for name in review-gateway fraud-scorer rating-aggregator; do
    [[ -n ${pid[${name}]:-} ]] || continue
    stop_service "${name}" "${pid[${name}]}"
  done
  mkdir -p "$(result logs)"
  cp "${log_dir}"/*.log "$(result logs)/" 2>/dev/null || true
  if ((stack_started)); then
    if ((keep)); then
      "${stack[@]}" down >/dev/null 2>&1 || true
      log "stack directory kept: ${stack_dir}"
    else
      "${stack[@]}" down --purge >/dev/null 2>&1 || true
    fi
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

log "starting the stack in ${stack_dir}"
stack_started=1
"${stack[@]}" up >"${stack_dir}/env" 2>>"${log_dir}/stack.log" ||
  { tail -n 30 "${log_dir}/stack.log" >&2; die "the stack did not start"; }
# shellcheck disable=SC1091
source "${stack_dir}/env"
export CANDOR_REDIS_ADDR CANDOR_PG_DSN CANDOR_KAFKA_BROKERS
CANDOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CANDOR_JWT_SECRET CANDOR_GATEWAY_LISTEN=${gateway_addr} CANDOR_GATEWAY_ADDR=${gateway_addr}
export CANDOR_GATEWAY_HTTP_PORT=-1  # gRPC only
export CANDOR_LOG_LEVEL=info
trust_the_driver

start_service rating-aggregator "${aggregator_bin}"
start_service fraud-scorer "${fraud_bin}"
start_service review-gateway "${gateway_bin}"
disown -a # this script kills some of them on purpose: no job notices from bash
for ((i = 0; i < 30; i++)); do
  "${drive_bin}" --probe --gateway "${gateway_addr}" >/dev/null 2>&1 && break
  sleep 1
done
check_services
log "services up: gateway ${pid[review-gateway]}, fraud-scorer ${pid[fraud-scorer]}," \
  "rating-aggregator ${pid[rating-aggregator]}"

# The chaos: one component at a time, SIGKILL, down for --down-s, then back. The stores come
# back through stack.sh up (which starts only what is not running); PostgreSQL recovers from its
# WAL, Redis starts empty (the stack runs it without persistence): both are what a crash does.
kill_one() {
  local target=$1 p
  case ${target} in
    fraud-scorer | rating-aggregator)
      kill -KILL "${pid[${target}]}" 2>/dev/null || true
      sleep "${down_s}"
      if [[ ${target} == fraud-scorer ]]; then
        start_service fraud-scorer "${fraud_bin}"
      else
        start_service rating-aggregator "${aggregator_bin}"
      fi
      disown -a
      echo "${pid[${target}]}" >"${stack_dir}/${target}.pid"
      ;;
    redis-freeze)
      # SIGSTOP: Redis keeps accepting connections but answers nothing (a hung or paused server),
      # for longer than the gateway's 2 s Redis timeout, so guard replies are lost after their
      # scripts ran; the clients' retries must still go through.
      p=$(cat "${stack_dir}/redis/redis.pid")
      kill -STOP "${p}" 2>/dev/null || true
      sleep "$((down_s > 3 ? down_s : 3))"
      kill -CONT "${p}" 2>/dev/null || true
      ;;
    redis | postgres)
      if [[ ${target} == redis ]]; then
        p=$(cat "${stack_dir}/redis/redis.pid")
      else
        p=$(head -n 1 "${stack_dir}/pg/data/postmaster.pid")
      fi
      kill -KILL "${p}" 2>/dev/null || true
      sleep "${down_s}"
      "${stack[@]}" up >/dev/null 2>>"${log_dir}/stack.log" || log "warning: stack.sh up failed"
      ;;
  esac
}
chaos() {
  local targets=(fraud-scorer redis-freeze redis rating-aggregator postgres) n=0 t
  while :; do
    sleep "${kill_every}"
    t=${targets[n % ${#targets[@]}]}
    if [[ ${t} == redis-freeze ]]; then
      log "kill -STOP redis (frozen $((down_s > 3 ? down_s : 3)) s)"
    else
      log "kill -9 ${t} (down ${down_s} s)"
    fi
    echo "$(date +%T) ${t}" >>"${stack_dir}/kills"
    kill_one "${t}"
    log "${t} back"
    n=$((n + 1))
  done
}
chaos &
chaos_pid=$!

log "candor-drive: ${count} submissions at ${rate}/s"
drive_rc=0
"${drive_bin}" --gateway "${gateway_addr}" --count "${count}" --rate "${rate}" \
  --concurrency 2000 --deadline-ms 5000 --products 2000 --users $((count / 4 + 2000)) \
  --pg-dsn "${CANDOR_PG_DSN}" --fresh-timeout-s 600 --json "$(result reliability-drive.json)" \
  --no-progress >"$(result reliability-drive.txt)" 2>"${log_dir}/drive.log" || drive_rc=$?
kill "${chaos_pid}" 2>/dev/null || true
wait "${chaos_pid}" 2>/dev/null || true
chaos_pid=""
log "candor-drive done (exit ${drive_rc}); the chaos stopped"
adopt_restarted
"${stack[@]}" up >/dev/null 2>>"${log_dir}/stack.log" || die "the stack is not up after the run"

# Everything drained (at most 5 minutes): no active review left uncounted, and the reviews table
# no longer growing for 3 s (fraud-scorer may still be working through a backlog that an
# uncounted count of 0 alone would not show). The I3 check below reads Postgres, then Redis: on a
# side still moving it would see Redis ahead of the snapshot.
psql_q() { psql "${CANDOR_PG_DSN}" -tAc "$1" 2>/dev/null || echo -1; }
steady=0
previous=-1
for ((i = 0; i < 300; i++)); do
  uncounted=$(psql_q "SELECT count(*) FROM reviews WHERE status = 'active' AND NOT counted")
  rows=$(psql_q "SELECT count(*) FROM reviews")
  if ((uncounted == 0 && rows >= 0 && rows == previous)); then
    steady=$((steady + 1))
    ((steady >= 3)) && break
  else
    steady=0
  fi
  previous=${rows}
  sleep 1
done

drive_json=$(result reliability-drive.json)
accepted=$(jq '.outcomes.ok' "${drive_json}")
lost=$(jq '.convergence.reviews_missing' "${drive_json}")
stale=$(jq '.convergence.products_stale' "${drive_json}")
# candor-drive's own check must have run: without it "lost" is unknown, not 0.
state=$(jq -r '.convergence.state' "${drive_json}")
if [[ ${state} != fresh && ${state} != stale ]]; then
  log "candor-drive did not check the read side: $(jq -r '.convergence.message // "no report"' "${drive_json}")"
  lost=unchecked
  stale=unchecked
fi
stored=$(psql_q "SELECT count(*) FROM reviews")
double=$(psql_q "SELECT count(*) FROM product_ratings p
  LEFT JOIN (SELECT asin, count(*) AS n, sum(rating) AS s FROM reviews WHERE counted
             GROUP BY asin) l USING (asin)
  WHERE p.review_count <> coalesce(l.n, 0) OR p.rating_sum <> coalesce(l.s, 0)")
# I3: every product's Redis hash equals product_ratings (count, sum, version), or is absent
# (a Redis that restarted empty is repaired on the next read; absent is not drift).
redis_drift=0
redis_absent=0
while IFS='|' read -r asin n s v; do
  mapfile -t h < <(redis-cli -p "${redis_port}" HMGET "rating:${asin}" count sum version)
  if [[ -z ${h[0]} ]]; then
    redis_absent=$((redis_absent + 1))
  elif [[ ${h[0]} != "${n}" || ${h[1]} != "${s}" || ${h[2]} != "${v}" ]]; then
    redis_drift=$((redis_drift + 1))
    log "drift: ${asin} redis ${h[*]} vs postgres ${n} ${s} ${v}"
  fi
done < <(psql_q "SELECT asin, review_count, rating_sum, version FROM product_ratings")
kills=$(wc -l <"${stack_dir}/kills" 2>/dev/null || echo 0)
gaps=$(cat "${log_dir}"/fraud-scorer.log "${log_dir}"/rating-aggregator.log | grep -c "skipped offsets" || true)

summary=$(result reliability.txt)
{
  echo "Candor reliability run, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "${count} submissions at ${rate}/s; a kill -9 every ${kill_every} s (down ${down_s} s):" \
    "${kills} kills ($(awk '{print $2}' "${stack_dir}/kills" 2>/dev/null | sort | uniq -c |
      awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}'))"
  echo
  echo "answers: $(jq -r '.outcomes | "OK \(.ok), duplicate \(.duplicate), limited \(.limited), invalid \(.invalid), unavailable \(.unavailable), other \(.other), not sent \(.not_sent)"' "${drive_json}")"
  echo "reviews stored: ${stored}, accepted (OK): ${accepted}"
  if ((stored > accepted)); then
    echo "  (more stored than accepted: published, but answered UNAVAILABLE when the delivery report was late; a client's retry gets the same review id)"
  elif ((stored < accepted)); then
    echo "  (fewer stored than accepted: see 'lost' below, candor-drive's check by review id)"
  fi
  echo "offset gaps logged by the consumers: ${gaps}"
  echo
  echo "lost (accepted, not stored):               ${lost}"
  echo "double-counted (product_ratings vs ledger): ${double}"
  echo "uncounted after the drain:                  ${uncounted}"
  echo "drift (Redis vs product_ratings):           ${redis_drift} (${redis_absent} hashes absent, repaired on read)"
  echo "drift (summaries vs reviews, candor-drive): ${stale}"
} | tee "${summary}"
log "results in ${out_dir}/${stamp}-*"
# A run that stored nothing proved nothing (a gateway refusing every submission, say).
((accepted > 0)) || { log "no submission was accepted: nothing was tested"; exit 1; }
[[ ${lost} == 0 && ${stale} == 0 ]] && ((double == 0 && uncounted == 0 && redis_drift == 0))
