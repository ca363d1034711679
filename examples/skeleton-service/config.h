#pragma once

#include "absl/status/status.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "libs/service/grpc_config.h"
#include "libs/service/service_config.h"

namespace candor::skeleton {

// What it connects: nothing but Kafka. It keeps its tally in memory, publishes nothing (its dead
// letters have a producer of their own) and needs neither Redis nor Postgres, so their flags do
// not exist.
inline constexpr service::AdapterSet kAdapters = {};

// Every setting of candor-skeleton-service; README.md documents each one. Defaults suit the
// local stack of tools/stack/stack.sh.
struct Config {
  service::ServiceConfig service{};
  service::ConsumerConfig consumer = {
      .group = "skeleton-service",
      .input_topic = events::kReviewEventsTopic,
  };
  service::GrpcConfig grpc = {.listen = "127.0.0.1:50070"};
};

// Registers every field of `config` (which must outlive the parse) with `flags`: the shared
// settings of the adapters it uses and its one loop, then the gRPC server's.
void RegisterFlags(core::Flags& flags, Config* config);

// Checks what single-flag ranges cannot: a known log level, non-empty names and topics, a
// listen address and the token secret. InvalidArgument naming the flag or variable.
absl::Status ValidateConfig(const Config& config);

}  // namespace candor::skeleton
