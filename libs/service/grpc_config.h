#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/auth/jwt.h"
#include "libs/core/flags.h"
#include "libs/rpc/service_host.h"

namespace candor::service {

// The settings of a service's gRPC server (rpc::ServiceHost) and of the tokens its ServiceGates
// accept, so that every gRPC service has the same flags for them. A service's Config holds one
// as `grpc`, with its own default `listen` address set there; its README lists the flags.
struct GrpcConfig {
  // host:port; port 0 picks a free one (tests; GrpcComponent::port() reports it).
  std::string listen{};
  // Largest request accepted; larger ones are answered RESOURCE_EXHAUSTED (gRPC's default 4 MiB).
  int64_t max_request_bytes = 4 << 20;
  // On SIGTERM: how long new calls are still served after health turns NOT_SERVING (so load
  // balancers move away first), then how long in-flight calls may take to finish.
  int64_t drain_grace_ms = 0;
  int64_t drain_timeout_ms = 5000;
  // The HS256 secret: from $CANDOR_JWT_SECRET only (RegisterGrpcFlags reads it), never a flag,
  // so it does not show in `ps`.
  std::string jwt_secret{};
  std::string jwt_issuer = std::string(auth::kDefaultIssuer);
  std::string jwt_audience = std::string(auth::kDefaultAudience);
  int64_t jwt_leeway_s = 30;
  int64_t jwt_max_lifetime_s = 24 * 3600;
};

// Registers the fields of `config` (which must outlive the parse) with `flags`: --listen
// ($<env_prefix>LISTEN), --max-request-bytes, --drain-grace-ms, --drain-timeout-ms (each
// $<env_prefix><FLAG>), --jwt-issuer ($CANDOR_JWT_ISSUER), --jwt-audience ($CANDOR_JWT_AUDIENCE),
// --jwt-leeway-s, --jwt-max-lifetime-s ($<env_prefix><FLAG>). Also takes `jwt_secret` from
// $CANDOR_JWT_SECRET when it is set. A service calls it after RegisterServiceFlags. Not
// thread-safe (as core::Flags).
void RegisterGrpcFlags(core::Flags& flags, const std::string& env_prefix, GrpcConfig* config);

// Checks what single-flag ranges cannot: a non-empty --listen and usable token settings (a
// secret of at least auth::kMinSecretBytes, a non-empty issuer and audience). InvalidArgument
// naming the flag or variable.
absl::Status ValidateGrpcConfig(const GrpcConfig& config);

// The server's options from `config` (which ValidateGrpcConfig accepted); reflection on,
// keepalive and the response size limit left at gRPC's defaults. Pure.
rpc::ServerOptions ServerOptionsOf(const GrpcConfig& config);

// The token verifier's options from `config` (which ValidateGrpcConfig accepted). Pure.
auth::VerifierOptions VerifierOptionsOf(const GrpcConfig& config);

}  // namespace candor::service
