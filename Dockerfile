# syntax=docker/dockerfile:1
# Candor's images: one Dockerfile, one builder, one target per service plus `migrate`.
#
#   docker build --target review-gateway     -t candor/review-gateway:dev .
#   docker build --target fraud-scorer       -t candor/fraud-scorer:dev .
#   docker build --target rating-aggregator  -t candor/rating-aggregator:dev .
#   docker build --target helpfulness-ranker -t candor/helpfulness-ranker:dev .
#   docker build --target index-writer       -t candor/index-writer:dev .
#   docker build --target reco-api           -t candor/reco-api:dev .
#   docker build --target migrate            -t candor/migrate:dev .
#   (docker-compose.yml builds all of them: `docker compose build`)
#
# Why one file: the six services share every build dependency and every runtime library (they
# are binaries of one CMake tree linking the same libs/), so one builder stage compiles all six
# once and BuildKit reuses it for every target; a Dockerfile per service would repeat the same
# 40 lines six times and let their package lists drift apart. Each service's target only says
# which binary it runs, which ports it exposes and how it is health-checked.
#
# deploy/README.md says what has been run (this file is validated by nothing but review: no
# container engine runs on the machines that wrote it).

ARG DEBIAN_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
# builder: the Debian packages from scripts/setup.sh (the one list, so the image cannot drift
# from what developers and CI build with) and the release preset's six service binaries.
FROM debian:bookworm AS builder
WORKDIR /src
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh --no-build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release \
 && cmake --build --preset release -j "$(nproc)" --target \
      candor-review-gateway candor-fraud-scorer candor-fraud-rescore \
      candor-rating-aggregator candor-helpfulness-ranker candor-index-writer candor-reco-api \
 && mkdir -p /out/bin \
 && cp build/release/services/review-gateway/candor-review-gateway \
       build/release/services/fraud-scorer/candor-fraud-scorer \
       build/release/services/fraud-scorer/rescore/candor-fraud-rescore \
       build/release/services/rating-aggregator/candor-rating-aggregator \
       build/release/services/helpfulness-ranker/candor-helpfulness-ranker \
       build/release/services/index-writer/candor-index-writer \
       build/release/services/reco-api/candor-reco-api /out/bin/ \
 && strip /out/bin/*

# ---------------------------------------------------------------------------------------------
# runtime: only the shared libraries the binaries link (ldd of the release binaries, mapped to
# Debian 12 packages) and curl for HEALTHCHECK. Runs as uid/gid 10001, never root.
FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libre2-9 \
      librdkafka1 libhiredis0.14 libpqxx-6.4 libpq5 \
      libssl3 zlib1g libicu72 libspdlog1.10 libfmt9 \
      libxapian30 libxgboost0 \
      libblas3 liblapack3 libgomp1 \
      curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 candor \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/candor --shell /usr/sbin/nologin candor \
 && mkdir -p /opt/candor /var/lib/candor/search-index /var/lib/candor/reco-model \
 && chown -R 10001:10001 /var/lib/candor
WORKDIR /opt/candor
ENV CANDOR_LOG_LEVEL=info
USER 10001:10001

# --- one target per service -----------------------------------------------------------------
# Every service serves /metrics, /healthz and /readyz on its admin port (--admin-port); the
# HEALTHCHECK asks /healthz there. Ports: deploy/README.md.

FROM runtime AS review-gateway
COPY --from=builder /out/bin/candor-review-gateway /usr/local/bin/
ENV CANDOR_GATEWAY_LISTEN=0.0.0.0:50051 \
    CANDOR_INDEX_DIR=/var/lib/candor/search-index
EXPOSE 50051 8080 9460
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9460/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-review-gateway"]
CMD ["--admin-port=9460"]

FROM runtime AS fraud-scorer
COPY --from=builder /out/bin/candor-fraud-scorer /out/bin/candor-fraud-rescore /usr/local/bin/
# The committed model (current.json is a link to the model in use) and the datacenter networks;
# the binary's defaults are these paths relative to WORKDIR /opt/candor.
COPY models/fraud/ /opt/candor/models/fraud/
EXPOSE 9461
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9461/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-fraud-scorer"]
CMD ["--admin-port=9461"]

FROM runtime AS rating-aggregator
COPY --from=builder /out/bin/candor-rating-aggregator /usr/local/bin/
EXPOSE 9462
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9462/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-rating-aggregator"]
CMD ["--admin-port=9462"]

FROM runtime AS helpfulness-ranker
COPY --from=builder /out/bin/candor-helpfulness-ranker /usr/local/bin/
EXPOSE 9463
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9463/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-helpfulness-ranker"]
CMD ["--admin-port=9463"]

FROM runtime AS index-writer
COPY --from=builder /out/bin/candor-index-writer /usr/local/bin/
ENV CANDOR_INDEX_DIR=/var/lib/candor/search-index
VOLUME ["/var/lib/candor/search-index"]
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-index-writer"]
CMD ["--admin-port=9464"]

FROM runtime AS reco-api
COPY --from=builder /out/bin/candor-reco-api /usr/local/bin/
# The model comes from a volume (compose: CANDOR_RECO_MODEL_DIR; Kubernetes: the reco-model PVC),
# the rules and the experiment from /etc/candor/reco (deploy/k8s/base/reco).
EXPOSE 50062 8081 9465
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9465/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/candor-reco-api"]
CMD ["--admin-port=9465", "--listen=0.0.0.0:50062"]

# --- migrate: tools/stack/migrate.sh and db/migrations, with psql ------------------------------
# Runs once per deploy (compose: the `migrate` service; Kubernetes: the candor-migrate Job). Takes
# the DSN from CANDOR_PG_DSN and the password from PGPASSWORD (libpq), never from the image.
FROM ${DEBIAN_IMAGE} AS migrate
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 candor \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/candor --shell /usr/sbin/nologin candor
COPY tools/stack/migrate.sh /opt/candor/tools/stack/migrate.sh
COPY db/migrations/ /opt/candor/db/migrations/
WORKDIR /opt/candor
USER 10001:10001
# A one-shot job: its exit code is its health.
HEALTHCHECK NONE
ENTRYPOINT ["/opt/candor/tools/stack/migrate.sh"]
