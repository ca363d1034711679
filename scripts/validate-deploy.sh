#!/usr/bin/env bash
# Validates Candor's deployment files offline (no container engine, no cluster): scripts/test.sh's
# `deploy` stage. What it checks is listed in deploy/README.md ("Validation").
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/validate-deploy.sh [--no-kubectl]

Offline checks of docker-compose.yml, the Dockerfile's compose wiring, deploy/k8s (base and
overlays/local) and deploy/prometheus:
  1. docker-compose config -q with .env.example, and a refusal without the secrets;
     promtool check config on deploy/prometheus/prometheus.yml;
  2. deploy/validate (Node): topics.txt against libs/events/topics.h; each kustomization rendered
     by deploy/validate/render.js and checked against the Kubernetes schemas (npm
     kubernetes-models), for unknown fields and against Candor's rules; compose and Kubernetes
     run the same services; when a kubectl with kustomize v5 is installed, render.js must equal
     `kubectl kustomize`;
  3. deploy/validate's own tests (node --test): each rule rejects a broken copy;
  4. the whole validator run on a broken copy of the tree (a misspelt livenessProbe) must fail.
Needs docker-compose, promtool, node and npm (scripts/setup.sh installs them); the first run installs
deploy/validate's npm packages from package-lock.json (npm ci).
  --no-kubectl   skip the comparison with kubectl kustomize (also env CANDOR_DEPLOY_KUBECTL=none)
USAGE
}

use_kubectl=${CANDOR_DEPLOY_KUBECTL:-auto}
while [ $# -gt 0 ]; do
  case "$1" in
    --no-kubectl) use_kubectl=none; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "validate-deploy: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "validate-deploy: $*" >&2; exit 1; }
for tool in docker-compose node npm promtool; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/setup.sh --no-build installs it)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. docker-compose's own validation, then the refusal without secrets. The secrets are removed
#    from the environment so a developer's shell cannot make either check pass by accident.
compose=(env -u POSTGRES_PASSWORD -u CANDOR_JWT_SECRET docker-compose -f docker-compose.yml)
"${compose[@]}" --env-file .env.example config -q || die "docker-compose config -q failed"
echo "validate-deploy: docker-compose config -q: ok" >&2
"${compose[@]}" --env-file .env.example config >"$tmp/compose.yml"
for secret in POSTGRES_PASSWORD CANDOR_JWT_SECRET; do
  grep -v "^${secret}=" .env.example >"$tmp/without.env"
  if "${compose[@]}" --env-file "$tmp/without.env" config -q 2>"$tmp/nosecret.err"; then
    die "docker-compose.yml renders without ${secret} (secrets must come from .env, never the file)"
  fi
  grep -q "set ${secret} in .env" "$tmp/nosecret.err" ||
    die "docker-compose.yml without ${secret} failed for another reason: $(cat "$tmp/nosecret.err")"
done
echo "validate-deploy: docker-compose.yml refuses to render without either secret: ok" >&2

# 2. Prometheus's own check of compose's scrape config (Debian's prometheus 2.42 promtool).
promtool check config deploy/prometheus/prometheus.yml >"$tmp/promtool.log" 2>&1 || {
  cat "$tmp/promtool.log" >&2
  die "promtool check config deploy/prometheus/prometheus.yml failed"
}
echo "validate-deploy: promtool check config deploy/prometheus/prometheus.yml: ok" >&2

# 3. npm packages, installed again only when package-lock.json changed.
validate_dir=deploy/validate
lock_sum=$(sha256sum "$validate_dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$validate_dir/node_modules/.candor-lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
  echo "validate-deploy: npm ci in $validate_dir" >&2
  (cd "$validate_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$validate_dir/node_modules/.candor-lock-sha256"
fi

kubectl_args=()
if [ "$use_kubectl" != none ] && command -v kubectl >/dev/null; then
  # Only a kubectl with kustomize v5 (kubectl >= 1.27) renders `labels` as the manifests mean;
  # Debian's kubernetes-client (1.20) does not, so it is not compared against.
  minor=$(kubectl version --client -o json 2>/dev/null |
            node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(parseInt(JSON.parse(s).clientVersion.minor,10)||0)}catch(e){console.log(0)}})')
  if [ "${minor:-0}" -ge 27 ]; then
    kubectl_args=(--kubectl "$(command -v kubectl)")
  else
    echo "validate-deploy: kubectl 1.${minor:-?} has no kustomize v5; render.js not compared" >&2
  fi
elif [ "$use_kubectl" != none ]; then
  echo "validate-deploy: no kubectl; render.js not compared with kubectl kustomize" >&2
fi

node "$validate_dir/validate.js" --repo . --compose-config "$tmp/compose.yml" "${kubectl_args[@]}"

# 4. The rules' own tests.
(cd "$validate_dir" && node --test test/validate.test.js) >"$tmp/node-test.log" 2>&1 || {
  cat "$tmp/node-test.log" >&2
  die "deploy/validate tests failed"
}
echo "validate-deploy: deploy/validate tests: $(grep -E '^# (pass|fail) ' "$tmp/node-test.log" | tr '\n' ' ')" >&2

# 5. The validator must fail on a broken tree: a copy with fraud-scorer's livenessProbe misspelt,
#    caught twice (an unknown field, and a container without a liveness probe).
mkdir -p "$tmp/broken/libs/events"
cp -r deploy "$tmp/broken/deploy"
rm -rf "$tmp/broken/deploy/validate"
cp libs/events/topics.h "$tmp/broken/libs/events/"
cp Dockerfile "$tmp/broken/"
sed -i 's/livenessProbe:/livenesProbe:/' "$tmp/broken/deploy/k8s/base/fraud-scorer.yaml"
if node "$validate_dir/validate.js" --repo "$tmp/broken" --compose-config "$tmp/compose.yml" \
     >"$tmp/broken.log" 2>&1; then
  cat "$tmp/broken.log" >&2
  die "the validator accepted a container without a livenessProbe"
fi
grep -q 'Deployment fraud-scorer container fraud-scorer: no livenessProbe' "$tmp/broken.log" &&
  grep -q 'livenesProbe is not a field of Container' "$tmp/broken.log" || {
  cat "$tmp/broken.log" >&2
  die "the validator rejected the broken tree for another reason"
}
echo "validate-deploy: a container without a livenessProbe is rejected: ok" >&2
echo "validate-deploy: all checks passed" >&2
