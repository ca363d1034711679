#!/usr/bin/env bash
# Installs every Debian 12 package Candor needs (idempotent; apt-get update first) and builds a
# CMake preset. Run as root (or with sudo) on a fresh Debian 12 machine.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/setup.sh [--preset dev|asan|release|fuzz] [--no-build] [--no-install]

Installs the Debian packages Candor builds and runs with, then configures and builds the
preset (default: release) into build/<preset>.
  --preset P     CMake preset to build (dev, asan, release, fuzz)
  --no-build     only install packages
  --no-install   only configure and build
USAGE
}

preset=release
build=1
install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# One package a line: what it is for (mirrors cmake/deps.cmake).
packages=(
  build-essential cmake ninja-build pkg-config   # toolchain
  clang-format                                   # format check in CI
  libgrpc++-dev protobuf-compiler-grpc           # gRPC 1.51
  libprotobuf-dev protobuf-compiler libabsl-dev  # protobuf 3.21, absl
  golang-github-grpc-ecosystem-grpc-gateway-dev  # google/rpc + google/api protos (as .proto files)
  golang-grpc-gateway                            # protoc-gen-swagger: OpenAPI from google.api.http
  librdkafka-dev                                 # Kafka client + mock cluster
  libhiredis-dev libpqxx-dev                     # Redis, PostgreSQL clients
  libssl-dev zlib1g-dev                          # SHA-256/HMAC, gzip replay files
  libicu-dev                                     # Unicode NFKC, character properties
  libspdlog-dev nlohmann-json3-dev               # logging, JSON
  prometheus-cpp-dev                             # metrics registry + text exposition (libs/metrics)
  libboost-dev                                   # Boost.Asio/Beast: the admin and REST HTTP servers
  wrk                                            # HTTP load of bench/run_rest.sh
  prometheus                                     # Prometheus 2.42 + promtool (metrics_e2etest)
  libxgboost-dev                                 # gradient-boosted fraud model (C API)
  libtorch-dev                                   # libtorch 1.13 CPU: the two-tower trainer
  libfaiss-dev                                   # FAISS 1.7.3: ANN retrieval over item vectors
  libxapian-dev                                  # embedded review search index
  libcurl4-openssl-dev                           # HTTP client of the Elasticsearch search backend
  libgtest-dev libgmock-dev libbenchmark-dev     # tests, micro-benchmarks
  redis-server postgresql-15 postgresql-client-15 # the local stack's stores
  kcat                                           # a Kafka client that is not ours
  python3-grpcio python3-grpc-tools              # a gRPC client that is not ours
  openssl procps util-linux                      # secrets, process tools, runuser/flock
  clang libclang-rt-14-dev                       # fuzz preset: clang 14 + libFuzzer/sanitizer runtimes
  libomp-14-dev                                  # clang's OpenMP: the fuzz preset finds OpenMP for FAISS
  clang-tidy                                     # lint in CI (scripts/tidy.sh)
  ccache                                         # optional compiler cache (used when present)
  docker-compose nodejs                          # deploy check (scripts/validate-deploy.sh): compose config, k8s manifests (promtool: above)
)

if [ "$install" = 1 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "setup: apt-get update" >&2
  $sudo apt-get update -qq
  echo "setup: installing ${#packages[@]} packages (already installed ones are kept)" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
  # npm for deploy/validate's packages: Debian's `npm`, unless the installed nodejs brings its
  # own (a nodejs from elsewhere conflicts with Debian's npm package).
  if ! command -v npm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm \
      >/dev/null
  fi
fi

if [ "$build" = 1 ]; then
  cd "$root"
  echo "setup: configuring and building preset '$preset' into build/$preset" >&2
  # ccache, when installed, only speeds up rebuilds (it never changes what is built).
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  cmake --preset "$preset" "${launcher[@]}" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  echo "setup: done" >&2
fi
