#include "libs/service/grpc_config.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace candor::service {

void RegisterGrpcFlags(core::Flags& flags, const std::string& env_prefix, GrpcConfig* c) {
  auto env = [&](const char* name) { return absl::StrCat(env_prefix, name); };
  flags.AddString("listen", env("LISTEN"), &c->listen,
                  "gRPC listen address host:port (port 0: a free one)");
  flags.AddInt("max-request-bytes", env("MAX_REQUEST_BYTES"), &c->max_request_bytes,
               "largest request accepted; larger ones get RESOURCE_EXHAUSTED", 1024, 64 << 20);
  flags.AddInt("drain-grace-ms", env("DRAIN_GRACE_MS"), &c->drain_grace_ms,
               "on SIGTERM, how long new calls are still served after health turns NOT_SERVING "
               "(so load balancers move away first)",
               0, 600000);
  flags.AddInt("drain-timeout-ms", env("DRAIN_TIMEOUT_MS"), &c->drain_timeout_ms,
               "on SIGTERM, how long in-flight calls may take to finish", 0, 600000);
  flags.AddString("jwt-issuer", "CANDOR_JWT_ISSUER", &c->jwt_issuer,
                  "the `iss` every token must carry (exact match)");
  flags.AddString("jwt-audience", "CANDOR_JWT_AUDIENCE", &c->jwt_audience,
                  "the audience every token's `aud` (a string or an array) must include");
  flags.AddInt("jwt-leeway-s", env("JWT_LEEWAY_S"), &c->jwt_leeway_s,
               "clock skew allowed on a token's exp, nbf and iat, in seconds", 0, 300);
  flags.AddInt("jwt-max-lifetime-s", env("JWT_MAX_LIFETIME_S"), &c->jwt_max_lifetime_s,
               "longest token lifetime accepted (exp - iat, or exp - now without iat), in seconds",
               60, 30 * 24 * 3600);
  // The secret is no flag: command lines are visible to every user of the machine.
  if (const char* secret = std::getenv("CANDOR_JWT_SECRET"); secret != nullptr) {
    c->jwt_secret = secret;
  }
}

absl::Status ValidateGrpcConfig(const GrpcConfig& c) {
  if (c.listen.empty()) return absl::InvalidArgumentError("--listen: must not be empty");
  if (c.jwt_secret.size() < auth::kMinSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "$CANDOR_JWT_SECRET must be set to the HS256 secret, at least ", auth::kMinSecretBytes,
        " bytes (RFC 7518 section 3.2; e.g. `openssl rand -hex 32`), got ", c.jwt_secret.size()));
  }
  if (c.jwt_issuer.empty()) return absl::InvalidArgumentError("--jwt-issuer: must not be empty");
  if (c.jwt_audience.empty()) {
    return absl::InvalidArgumentError("--jwt-audience: must not be empty");
  }
  // The flags' ranges are the verifier's and the server's own; this catches a config built in
  // code.
  if (absl::Status s = VerifierOptionsOf(c).Check(); !s.ok()) return s;
  return ServerOptionsOf(c).Check();
}

rpc::ServerOptions ServerOptionsOf(const GrpcConfig& c) {
  rpc::ServerOptions o;
  o.listen = c.listen;
  o.max_receive_bytes = static_cast<int>(c.max_request_bytes);
  o.drain_grace = absl::Milliseconds(c.drain_grace_ms);
  o.drain_timeout = absl::Milliseconds(c.drain_timeout_ms);
  return o;
}

auth::VerifierOptions VerifierOptionsOf(const GrpcConfig& c) {
  return {.secret = c.jwt_secret,
          .issuer = c.jwt_issuer,
          .audience = c.jwt_audience,
          .leeway = absl::Seconds(c.jwt_leeway_s),
          .max_lifetime = absl::Seconds(c.jwt_max_lifetime_s)};
}

}  // namespace candor::service
