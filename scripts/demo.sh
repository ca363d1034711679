#!/usr/bin/env bash
# Candor's main job in one command: start the local stack (Redis, PostgreSQL, dev Kafka), the
# write path (review-gateway, fraud-scorer, rating-aggregator), helpfulness-ranker, index-writer
# and, with a model, reco-api, drive reviews through the gRPC API with candor-drive, show what
# came back, how soon the ratings caught up, what a shopper's search finds and what they are
# recommended, and stop it all.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"

usage() {
  cat <<'EOF'
Usage: scripts/demo.sh [REVIEWS_FILE] [--rate R] [--count N] [--no-votes] [--keep-running]
                      [--reco-model FILE | --no-reco]
       scripts/demo.sh --stop

Starts the local stack and Candor's write path, drives reviews through the gRPC API and prints
candor-drive's report: outcomes (accepted, duplicate, limited, invalid), submit latency,
throughput, how long after the last accepted review every product summary matched Postgres, how
fraud scoring decided the accepted reviews (active, held, rejected), and the most-reviewed
products. A REVIEWS_FILE's real helpful votes are then replayed (VoteHelpful from synthetic
voters), and the report adds how soon helpfulness-ranker applied them, invariant I4 (each review's
helpful/total equal to the vote ledger) and the most-voted product's top reviews (ListReviews).
Then the search index is checked against Postgres (I5) and three searches show what a shopper
finds ("string buzz", "tuner battery", "cable noise", each on the product with the most active
reviews holding those words): matches, facet counts and the top hits. The reconciliation then
compares the whole store: every product's aggregate with its counted reviews and Redis (I2, I3),
every review's helpful counts and ranking with the vote ledger (I4). When it is built, reco-api
runs beside them (it follows review-events, so the reviews become the users' histories and the
popular list) with a two-tower model (--reco-model, or one trained on REVIEWS_FILE) or none (the
popular list alone), and the report ends with the most active reviewer's recommendations and,
with a model, the products similar to the most-reviewed one (REST). Then stops everything
(SIGTERM: services drain and commit first).

  REVIEWS_FILE      Amazon JSON-lines reviews (gzip or plain) to replay, e.g.
                    ../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
                    They are history: imported (ImportReview, a service-role token) with their
                    original times (unixReviewTime), so they are judged as they happened; then
                    their `helpful` [yes, total] votes are replayed (candor-drive --votes).
                    Without it, candor-drive generates realistic live traffic (SubmitReview).
  --rate R          reviews per second (default 500; 0 = as fast as possible)
  --count N         submissions (generator, default 2000) or reviews replayed (file, default all)
  --no-votes        file: do not replay its helpful votes
  --reco-model FILE reco-api's two-tower model (candor-reco-train --out; also $CANDOR_RECO_MODEL).
                    Without it, a REVIEWS_FILE is trained on first when candor-reco-train is
                    built (Musical Instruments: about 15 s; kept as <stack dir>/reco/<file>.tt
                    for the next run); generated traffic has no model: reco-api then answers
                    with the recently popular products alone
  --no-reco         do not start reco-api (without it built, the demo runs as before)
  --keep-running    leave the stack and services up afterwards and print how to reach them
  --stop            stop what an earlier --keep-running left up
  --build-dir DIR   where the binaries are (default build/release; built by scripts/setup.sh
                    when missing)
  --help            this text

Environment: CANDOR_JWT_SECRET (default: a random one for this run), CANDOR_GATEWAY_LISTEN
(default 127.0.0.1:50051), CANDOR_RECO_LISTEN (reco-api, default 127.0.0.1:50062),
CANDOR_STACK_DIR (default .stack). Logs: <stack dir>/logs/<svc>.log.
Exit status: 0 when every check passed (candor-drive's and the reconciliation's), 1 when one
failed or setup failed, or 2 on a command line it cannot take (an unknown option, a missing
value, two REVIEWS_FILEs).
EOF
}

# shellcheck source=scripts/common.sh
source "${root}/scripts/common.sh"

# ---------------------------------------------------------------------------------------------
# Arguments

rate=500
count=""
keep_running=0
stop_only=0
votes=1
reco=1
reco_model=${CANDOR_RECO_MODEL:-}
build_dir=build/release
parse_options --rate=rate --count=count --build-dir=build_dir --keep-running:keep_running=1 \
  --no-votes:votes=0 --reco-model=reco_model --no-reco:reco=0 --stop:stop_only=1 operands -- "$@"
((${#operands[@]} <= 1)) || usage_error "only one REVIEWS_FILE (got ${operands[*]})"
reviews_file=${operands[0]:-}
[[ ${rate} =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--rate must be a number >= 0, got '${rate}'"
[[ -z ${count} || ${count} =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer, got '${count}'"
if [[ -n ${reviews_file} ]]; then
  [[ -r ${reviews_file} ]] || die "cannot read ${reviews_file}"
  reviews_file=$(realpath -- "${reviews_file}")
fi
if [[ -n ${reco_model} ]]; then
  [[ -r ${reco_model} ]] || die "cannot read the reco model ${reco_model}"
  reco_model=$(realpath -- "${reco_model}")
fi

stack_dir=${CANDOR_STACK_DIR:-${root}/.stack}
log_dir=${stack_dir}/logs
pid_file=${log_dir}/demo.pids
gateway_addr=${CANDOR_GATEWAY_LISTEN:-127.0.0.1:50051}
# The gateway's REST/JSON port: the operator's, else 8080, else (8080 taken) a free one.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# http_ok PORT PATH: GET http://127.0.0.1:PORT/PATH answers 200 (bash alone: curl may be missing).
http_ok() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    read -r -t 2 status_line <&3 || exit 1
    [[ ${status_line} == "HTTP/"*" 200"* ]]
  ) 2>/dev/null
}
# free_or_other PORT: PORT when nothing listens there, else one of 20 random ports that is free.
free_or_other() {
  local port=$1 i
  for ((i = 0; i < 20; i++)); do
    port_taken "${port}" || break
    port=$((20000 + RANDOM % 20000))
  done
  echo "${port}"
}
http_port=${CANDOR_GATEWAY_HTTP_PORT:-$(free_or_other 8080)}
export CANDOR_GATEWAY_HTTP_PORT=${http_port}
# reco-api (when it runs): gRPC, REST (the operator's, else 8081, else a free one) and admin.
reco_addr=${CANDOR_RECO_LISTEN:-127.0.0.1:50062}
reco_http_port=${CANDOR_RECO_HTTP_PORT:-$(free_or_other 8081)}
reco_admin_port=${CANDOR_RECO_ADMIN_PORT:-9465}

write_path_binaries "${build_dir}"
token_bin=${build_dir}/tools/candor-token/candor-token

# ---------------------------------------------------------------------------------------------
# Services

# Front door first; index-writer last, as it consumes what the ranker publishes (review-scores).
stop_order=(review-gateway reco-api fraud-scorer rating-aggregator helpfulness-ranker index-writer)
ranker_bin=${build_dir}/services/helpfulness-ranker/candor-helpfulness-ranker
index_bin=${build_dir}/services/index-writer/candor-index-writer
search_bin=${build_dir}/tools/candor-search/candor-search
reco_bin=${build_dir}/services/reco-api/candor-reco-api
reco_train_bin=${build_dir}/tools/candor-reco-train/candor-reco-train
# The search index beside the stack's Postgres data, which it mirrors: index-writer writes it,
# the gateway reads it (both take CANDOR_INDEX_DIR).
export CANDOR_INDEX_DIR=${CANDOR_INDEX_DIR:-${stack_dir}/search-index}

stop_services() {
  local name
  for name in "${stop_order[@]}"; do
    if [[ -n ${pid[${name}]:-} ]]; then
      stop_service "${name}" "${pid[${name}]}"
    fi
  done
  rm -f "${pid_file}"
}

# The pid file of a --keep-running demo: "<service> <pid>" lines, and "stack 1" when that demo
# started the stack (so --stop leaves a stack that was already running alone).
if ((stop_only)); then
  if [[ ! -f ${pid_file} ]]; then
    die "no ${pid_file}: no demo was left running (the stack alone stops with tools/stack/stack.sh down)"
  fi
  stack_line=0
  while read -r name p; do
    if [[ ${name} == stack ]]; then
      stack_line=1
    elif [[ ${name} =~ ^[a-z-]+$ && ${p} =~ ^[0-9]+$ ]]; then
      pid[${name}]=${p}
    fi
  done <"${pid_file}"
  stop_services
  if ((stack_line)); then
    tools/stack/stack.sh down
  else
    log "leaving the stack up: it was running before the demo"
  fi
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# 1. Binaries

if ((${#missing_bins[@]})); then
  preset=$(basename "${build_dir}")
  [[ $(realpath -m "${build_dir}") == "${root}/build/${preset}" &&
    ${preset} =~ ^(dev|asan|release)$ ]] ||
    die "binaries missing under ${build_dir} and it is not a preset's build/<preset> directory"
  log "binaries missing under ${build_dir}: running scripts/setup.sh --preset ${preset}"
  scripts/setup.sh --preset "${preset}"
fi

# ---------------------------------------------------------------------------------------------
# Cleanup, from here on: Ctrl-C and failures stop what this run started.

stack_was_up=0
stack_started=0
keep_alive=0
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((keep_alive)); then
    exit "${rc}"
  fi
  stop_services
  if ((stack_started)); then
    tools/stack/stack.sh down || log "warning: stack.sh down failed"
  elif ((stack_was_up)); then
    log "leaving the stack in ${stack_dir} up: it was running before the demo"
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# 'Something answers' on the gateway address: a gateway left up by an earlier --keep-running,
# or another program. Either way ours could not listen there.
if "${drive_bin}" --probe --gateway "${gateway_addr}" --deadline-ms 500 2>/dev/null; then
  die "something already answers gRPC on ${gateway_addr} (a demo started with --keep-running?" \
    "stop it with 'scripts/demo.sh --stop', or set CANDOR_GATEWAY_LISTEN)"
fi

# ---------------------------------------------------------------------------------------------
# 2. The stack

if tools/stack/stack.sh status >/dev/null 2>&1; then
  stack_was_up=1
  log "the local stack is already up"
else
  stack_started=1
  log "starting the local stack (Redis, PostgreSQL, dev Kafka) in ${stack_dir}"
fi
tools/stack/stack.sh up --dev-kafka "${kafka_bin}" >/dev/null
eval "$(tools/stack/stack.sh env)"

# 3. A token secret shared by the gateway and candor-drive.
if [[ -z ${CANDOR_JWT_SECRET:-} ]]; then
  if command -v openssl >/dev/null; then
    CANDOR_JWT_SECRET=$(openssl rand -hex 32)
  else
    CANDOR_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  fi
fi
export CANDOR_JWT_SECRET
export CANDOR_GATEWAY_LISTEN=${gateway_addr}
export CANDOR_GATEWAY_ADDR=${gateway_addr}
trust_the_driver

# ---------------------------------------------------------------------------------------------
# 4. The services, consumers first so they are subscribed when the first review arrives.

mkdir -p "${log_dir}"
if ((stack_started)); then echo "stack 1" >"${pid_file}"; else : >"${pid_file}"; fi
start_service() {
  local name=$1 bin=$2 logfile=${log_dir}/$1.log
  printf '\n===== %s: %s\n' "$(date '+%F %T')" "${bin}" >>"${logfile}"
  # setsid: a Ctrl-C in this terminal reaches candor-drive and this script, not the services;
  # the cleanup trap stops them in order. No job control, so $! is the service itself.
  setsid "${bin}" </dev/null >>"${logfile}" 2>&1 &
  pid[${name}]=$!
  echo "${name} ${pid[${name}]}" >>"${pid_file}"
  log "started ${name} (pid ${pid[${name}]}), log ${logfile}"
}


start_service rating-aggregator "${aggregator_bin}"
# The search index (SearchReviews): it must hold exactly Postgres's active reviews before
# index-writer follows the events (Kafka here starts empty on every stack start, Postgres keeps
# its data), so an index that is missing or differs is rebuilt from Postgres first.
if [[ -x ${index_bin} ]]; then
  if [[ ! -d ${CANDOR_INDEX_DIR} ]] || ! "${index_bin}" --check >>"${log_dir}/index-writer.log" 2>&1; then
    log "rebuilding the search index ${CANDOR_INDEX_DIR} from Postgres"
    "${index_bin}" --rebuild >>"${log_dir}/index-writer.log" 2>&1 ||
      die "the search index rebuild failed; see ${log_dir}/index-writer.log"
  fi
  start_service index-writer "${index_bin}"
else
  log "warning: ${index_bin} is not built; SearchReviews will answer UNAVAILABLE"
fi
# Helpful votes and the ranking (VoteHelpful, ListReviews); it ranks the reviews the scorer accepts.
if [[ -x ${ranker_bin} ]]; then
  start_service helpfulness-ranker "${ranker_bin}"
else
  log "warning: ${ranker_bin} is not built; votes will not be counted"
fi
# Recommendations (RecommendationService) when reco-api is built: it follows review-events from
# here on, so the reviews the traffic stores become the users' histories and the popular list.
# Without a model it answers with the popular list alone.
reco_running=0
if ((reco)) && [[ -x ${reco_bin} ]]; then
  if [[ -z ${reco_model} && -n ${reviews_file} && -x ${reco_train_bin} ]]; then
    # A model of the file itself, kept for the next run (retrained when the file is newer).
    reco_model=${stack_dir}/reco/$(basename "${reviews_file}").tt
    if [[ ! -s ${reco_model} || ${reviews_file} -nt ${reco_model} ]]; then
      log "training reco-api's two-tower model on ${reviews_file} (log ${log_dir}/reco-train.log)"
      mkdir -p "$(dirname "${reco_model}")"
      if "${reco_train_bin}" --amazon-json "${reviews_file}" --lenient --epochs 12 --patience 2 \
        --no-test --out "${reco_model}.tmp" >>"${log_dir}/reco-train.log" 2>&1; then
        mv "${reco_model}.tmp" "${reco_model}"
      else
        log "warning: training failed (${log_dir}/reco-train.log); reco-api without a model"
        rm -f "${reco_model}.tmp"
        reco_model=""
      fi
    fi
  fi
  if [[ -z ${reco_model} ]]; then
    log "reco-api without a model: popular lists only (--reco-model FILE, or a REVIEWS_FILE to train on)"
  fi
  export CANDOR_RECO_MODEL=${reco_model} CANDOR_RECO_LISTEN=${reco_addr}
  export CANDOR_RECO_HTTP_PORT=${reco_http_port} CANDOR_RECO_ADMIN_PORT=${reco_admin_port}
  start_service reco-api "${reco_bin}"
  reco_running=1
  # reco-api is optional: one that does not turn ready (a bad model, a port taken) is stopped
  # with a warning and the demo goes on without recommendations.
  reco_ready=0
  for ((i = 0; i < 300; i++)); do
    kill -0 "${pid[reco-api]}" 2>/dev/null || break
    if http_ok "${reco_admin_port}" /readyz; then
      reco_ready=1
      break
    fi
    sleep 0.1
  done
  if ((!reco_ready)); then
    tail -n 15 "${log_dir}/reco-api.log" >&2
    log "warning: reco-api did not turn ready on ${reco_addr} within 30 s (log above); going on without it"
    stop_service reco-api "${pid[reco-api]}"
    unset 'pid[reco-api]'
    reco_running=0
  fi
elif ((reco)); then
  log "reco-api is not built (${reco_bin}): no recommendations"
fi
start_service fraud-scorer "${fraud_bin}"
start_service review-gateway "${gateway_bin}"

log "waiting for the gateway on ${gateway_addr}"
ready=0
for ((i = 0; i < 300; i++)); do
  check_services
  if "${drive_bin}" --probe --gateway "${gateway_addr}" --deadline-ms 500 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.1
done
((ready)) || {
  tail -n 25 "${log_dir}/review-gateway.log" >&2
  die "the gateway did not answer on ${gateway_addr} within 30 s"
}
sleep 1  # let the consumers join their groups; a failed start shows up in check_services
check_services
if ((reco_running)); then
  log "gateway, fraud-scorer, rating-aggregator, helpfulness-ranker, index-writer and reco-api are up"
else
  log "gateway, fraud-scorer, rating-aggregator, helpfulness-ranker and index-writer are up"
fi

# The gateway's first publishes wait for Kafka metadata and a producer id (about half a second);
# a few throw-away submissions keep that start-up cost out of the report's latency figures.
log "warming up with 20 submissions (not in the report)"
"${drive_bin}" --gateway "${gateway_addr}" --count 20 --rate 0 --concurrency 4 --show 0 \
  --no-progress >/dev/null 2>&1 || log "warning: some warm-up submissions failed"
check_services

# ---------------------------------------------------------------------------------------------
# 5. Traffic

drive_args=(--gateway "${gateway_addr}" --rate "${rate}" --pg-dsn "${CANDOR_PG_DSN}")
if [[ -n ${reviews_file} ]]; then
  drive_args=("${reviews_file}" "${drive_args[@]}")
  [[ -z ${count} ]] || drive_args+=(--limit "${count}")
  log "importing ${reviews_file}${count:+ (first ${count} reviews)} with their original times at ${rate}/s"
  if ((votes)) && [[ -n ${pid[helpfulness-ranker]:-} ]]; then
    # The file's real helpful votes once its reviews are stored; the report shows the ranking.
    drive_args+=(--votes)
    log "then replaying the file's helpful votes (VoteHelpful, one synthetic voter per vote)"
  elif ((votes)); then
    log "warning: helpfulness-ranker is not running; the file's helpful votes are not replayed"
  fi
else
  drive_args+=(--count "${count:-2000}")
  log "driving ${count:-2000} generated submissions at ${rate}/s"
fi
set +e
"${drive_bin}" "${drive_args[@]}"
drive_rc=$?
set -e
check_services

# ---------------------------------------------------------------------------------------------
# 6. Search: the index against Postgres (I5), then what a shopper's search finds.

# The active product with the most active reviews holding every one of the words (constants of
# this script, never user input).
pick_product() {
  local where="status = 'active'" word
  for word in "$@"; do where+=" AND (title || ' ' || body) ILIKE '%${word}%'"; done
  psql "${CANDOR_PG_DSN}" -XAtq -c \
    "SELECT asin FROM reviews WHERE ${where} GROUP BY asin ORDER BY count(*) DESC, asin LIMIT 1"
}

if [[ -x ${index_bin} && -x ${search_bin} ]]; then
  echo
  echo "== search"
  # index-writer follows the events within a second; give it up to 30 s to hold every review.
  for ((i = 0; i < 30; i++)); do
    if check_out=$("${index_bin}" --check 2>&1); then break; fi
    sleep 1
  done
  echo "${check_out}"
  if command -v psql >/dev/null; then
    for words in "string buzz" "tuner battery" "cable noise"; do
      # shellcheck disable=SC2086 # the words are separate ILIKE terms
      asin=$(pick_product ${words}) || asin=""
      if [[ -z ${asin} ]]; then
        echo "search \"${words}\": no active review holds these words"
        continue
      fi
      echo
      "${search_bin}" --gateway "${gateway_addr}" --asin "${asin}" --top 3 "${words}" ||
        drive_rc=1
    done
  else
    log "warning: psql is not installed; no searches shown"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 7. Reconciliation (design.md 5), over the whole store: every product's aggregate against its
#    counted reviews and Redis (I2, I3: rating-aggregator --check) and every review's helpful
#    counts, sort key and ranking against the vote ledger (I4: helpfulness-ranker --check). A
#    drift left makes the exit code 1.

# reconcile NAME BIN: "BIN --check" (the stack's settings from the environment); its report,
# or the last lines of what it printed when it failed.
reconcile() {
  local out rc
  set +e
  out=$("$2" --check 2>&1)
  rc=$?
  set -e
  echo "$1: $(tail -n 1 <<<"${out}")"
  if ((rc != 0)); then
    head -n -1 <<<"${out}" | tail -n 20
    drive_rc=1
  fi
}

echo
echo "== reconciliation"
reconcile rating-aggregator "${aggregator_bin}"
if [[ -n ${pid[helpfulness-ranker]:-} ]]; then
  reconcile helpfulness-ranker "${ranker_bin}"
fi

# rest_show TITLE SUBJECT PORT PATH: "== TITLE", then the answer to GET PATH on 127.0.0.1:PORT
# with a token for SUBJECT (candor-token); a failed call makes the demo's exit code 1.
rest_show() {
  local token
  echo
  echo "== $1"
  token=$("${token_bin}" --sub "$2" 2>/dev/null) || token=""
  curl -sS --max-time 5 -H "Authorization: Bearer ${token}" "http://127.0.0.1:$3$4" || drive_rc=1
  echo
}
# The product with the most reviews; fails when Postgres does not answer.
most_reviewed_asin() {
  psql "${CANDOR_PG_DSN}" -XAtq -c \
    "SELECT asin FROM product_ratings ORDER BY review_count DESC, asin LIMIT 1" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# 8. The same API over REST/JSON: the most-reviewed product's summary, as a web app reads it.

if [[ ${http_port} != -1 ]] && command -v curl >/dev/null && command -v psql >/dev/null; then
  asin=$(most_reviewed_asin) || asin=""
  if [[ -n ${asin} ]]; then
    rest_show "REST: GET /v1/products/${asin}/summary" demo-reader "${http_port}" \
      "/v1/products/${asin}/summary"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 9. Recommendations (reco-api, REST): the most active reviewer's list, as a home page asks for
#    it with the shopper's own token, and the products like the most-reviewed one.

if ((reco_running)) && command -v curl >/dev/null && command -v psql >/dev/null; then
  reco_user=$(psql "${CANDOR_PG_DSN}" -XAtq -c \
    "SELECT user_id FROM reviews WHERE status = 'active' GROUP BY user_id
     ORDER BY count(*) DESC, user_id LIMIT 1" 2>/dev/null) || reco_user=""
  if [[ -n ${reco_user} ]]; then
    rest_show "recommendations: GET /v1/users/${reco_user}/recommendations?count=5 (reco-api)" \
      "${reco_user}" "${reco_http_port}" "/v1/users/${reco_user}/recommendations?count=5"
  fi
  asin=$(most_reviewed_asin) || asin=""
  # Similar items need the model's item vectors.
  if [[ -n ${asin} && -n ${reco_model} ]]; then
    rest_show "similar: GET /v1/products/${asin}/similar?count=5 (reco-api)" demo-reader \
      "${reco_http_port}" "/v1/products/${asin}/similar?count=5"
  fi
fi

# ---------------------------------------------------------------------------------------------
# 10. Stop, or say how to reach what runs.

if ((keep_running)); then
  keep_alive=1
  reco_line=""
  if ((reco_running)); then
    reco_line="  reco-api   ${reco_addr}  (gRPC, candor.reco.v1.RecommendationService), REST http://127.0.0.1:${reco_http_port}/v1/..., model ${reco_model:-none (popular lists)}
"
  fi
  cat >&2 <<EOF

Candor keeps running (scripts/demo.sh --stop stops it all):
  gateway    ${gateway_addr}  (gRPC, candor.review.v1.ReviewService; reflection is on)
  REST       http://127.0.0.1:${http_port}/v1/...  (routes and schemas: /openapi.json)
${reco_line}  services   $(for n in "${stop_order[@]}"; do [[ -z ${pid[${n}]:-} ]] || printf '%s %s  ' "${n}" "${pid[${n}]}"; done)
  logs       ${log_dir}/
  env        export CANDOR_REDIS_ADDR=${CANDOR_REDIS_ADDR} CANDOR_PG_DSN=${CANDOR_PG_DSN}
             export CANDOR_KAFKA_BROKERS=${CANDOR_KAFKA_BROKERS} CANDOR_GATEWAY_ADDR=${gateway_addr} CANDOR_RECO_ADDR=${reco_addr}
             export CANDOR_JWT_SECRET=${CANDOR_JWT_SECRET}
  more load  ${drive_bin} --count 1000 --pg-dsn "\$CANDOR_PG_DSN"
  a token    ${token_bin} --sub alice
  search     ${search_bin} --asin B003VWJ2K8 "tuner battery"
  index      ${index_bin} --check   (CANDOR_INDEX_DIR=${CANDOR_INDEX_DIR})
EOF
fi
exit "${drive_rc}"
