#!/usr/bin/env bash
# The operator's `migrate` command: applies db/migrations/NNNN_name.sql to a PostgreSQL database,
# in order, each exactly once. tools/stack/stack.sh runs it on every `up`; in production an
# operator runs it against the real database before deploying services that need the new schema.
#
# Every migration runs in one transaction together with its schema_migrations row, so a failed
# migration leaves no trace and a finished one is never applied again. The row is inserted first:
# if two runs race on the same database, the second blocks on the primary key and then fails
# instead of applying the migration twice.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "${script_dir}/../.." && pwd)

usage() {
  cat <<EOF
Usage: $(basename "$0") --dsn DSN [--dir DIR]

The migrate command an operator runs against a Candor database (tools/stack/stack.sh runs it on
every 'up'). Applies every DIR/NNNN_name.sql that is not yet recorded in schema_migrations, in
version order, each in one transaction with its schema_migrations row. Idempotent: run it before
deploying services that need a new migration; a second run prints 'up to date'.

Options:
  --dsn DSN   PostgreSQL connection string, e.g. postgresql://postgres@127.0.0.1:5440/candor
              (default: \$CANDOR_PG_DSN)
  --dir DIR   migrations directory (default: ${repo_root}/db/migrations)
  --help      print this help and exit
EOF
}

die() {
  echo "migrate: error: $*" >&2
  exit 1
}

dsn=${CANDOR_PG_DSN:-}
migrations_dir=${repo_root}/db/migrations
while (($# > 0)); do
  case $1 in
    --help | -h) usage; exit 0 ;;
    --dsn) (($# >= 2)) || die "--dsn needs a value"; dsn=$2; shift 2 ;;
    --dsn=*) dsn=${1#*=}; shift ;;
    --dir) (($# >= 2)) || die "--dir needs a value"; migrations_dir=$2; shift 2 ;;
    --dir=*) migrations_dir=${1#*=}; shift ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ -n ${dsn} ]] || { usage >&2; die "--dsn is required"; }
[[ -d ${migrations_dir} ]] || die "no migrations directory ${migrations_dir}"

# Prefer the server's own client; /usr/bin/psql (Debian's wrapper) works too.
psql_bin=${CANDOR_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
[[ -x ${psql_bin} ]] || psql_bin=$(command -v psql) || die "psql not found"

# -X: ignore ~/.psqlrc. client_min_messages hides "already exists, skipping" notices.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_cmd=("${psql_bin}" -X -q -v ON_ERROR_STOP=1 -d "${dsn}")

"${psql_cmd[@]}" -c "
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    int         PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )" || die "cannot reach or prepare ${dsn}"

declare -A applied=()
while read -r version; do
  [[ -n ${version} ]] && applied[${version}]=1
done < <("${psql_cmd[@]}" -tA -c "SELECT version FROM schema_migrations")

shopt -s nullglob
files=("${migrations_dir}"/[0-9][0-9][0-9][0-9]_*.sql)
declare -A seen=()
count=0
for file in "${files[@]}"; do
  base=$(basename "${file}")
  version=$((10#${base:0:4}))
  name=${base:5}
  name=${name%.sql}
  # The name goes into SQL below; keeping it to a safe alphabet avoids any quoting question.
  [[ ${name} =~ ^[A-Za-z0-9_-]+$ ]] || die "bad migration file name ${base} (want NNNN_name.sql)"
  [[ -z ${seen[${version}]:-} ]] || die "two migrations with version ${base:0:4}"
  seen[${version}]=1
  [[ -n ${applied[${version}]:-} ]] && continue

  {
    printf "INSERT INTO schema_migrations (version, name) VALUES (%d, '%s');\n" \
      "${version}" "${name}"
    cat "${file}"
  } | "${psql_cmd[@]}" --single-transaction -f - ||
    die "migration ${base} failed; nothing of it was applied"
  echo "migrate: applied ${base}"
  count=$((count + 1))
done

if ((count == 0)); then
  echo "migrate: up to date (${#seen[@]} migration(s))"
fi
