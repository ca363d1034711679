#include "libs/service/grpc_config.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/service/flags_testing.h"

namespace candor::service {
namespace {

constexpr char kSecret[] = "grpc-config-test-secret-0123456789ab";

// Registers the gRPC flags on `config` and parses `args`; `usage` gets --help's text.
absl::Status ParseGrpc(GrpcConfig* config, std::vector<std::string> args,
                       std::string* usage = nullptr) {
  core::Flags flags("candor-grpctest", "A test service.");
  RegisterGrpcFlags(flags, "CANDOR_GRPCTEST_", config);
  if (usage != nullptr) *usage = flags.Usage();
  return ParseArgsForTest(flags, std::move(args));
}

TEST(GrpcConfigTest, FlagsKeepTheServicesDefaultsAndReadItsPrefix) {
  setenv("CANDOR_GRPCTEST_DRAIN_TIMEOUT_MS", "750", 1);
  GrpcConfig config = {.listen = "127.0.0.1:50099"};
  std::string usage;
  ASSERT_TRUE(ParseGrpc(&config, {"--max-request-bytes=2048"}, &usage).ok());
  unsetenv("CANDOR_GRPCTEST_DRAIN_TIMEOUT_MS");
  EXPECT_EQ(config.listen, "127.0.0.1:50099");
  EXPECT_EQ(config.max_request_bytes, 2048);
  EXPECT_EQ(config.drain_timeout_ms, 750);
  EXPECT_NE(usage.find("--listen VALUE  [$CANDOR_GRPCTEST_LISTEN]"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--jwt-issuer VALUE  [$CANDOR_JWT_ISSUER]"), std::string::npos) << usage;
  // The secret is read from the environment only: no flag names it.
  EXPECT_EQ(usage.find("secret VALUE"), std::string::npos) << usage;
  EXPECT_FALSE(ParseGrpc(&config, {"--jwt-secret=x"}).ok());
}

TEST(GrpcConfigTest, TheSecretComesFromTheEnvironment) {
  setenv("CANDOR_JWT_SECRET", kSecret, 1);
  GrpcConfig config = {.listen = "127.0.0.1:0"};
  ASSERT_TRUE(ParseGrpc(&config, {}).ok());
  unsetenv("CANDOR_JWT_SECRET");
  EXPECT_EQ(config.jwt_secret, kSecret);
  EXPECT_TRUE(ValidateGrpcConfig(config).ok());
}

TEST(GrpcConfigTest, ValidationNamesTheSetting) {
  const GrpcConfig good = {.listen = "127.0.0.1:0", .jwt_secret = kSecret};
  EXPECT_TRUE(ValidateGrpcConfig(good).ok());

  GrpcConfig c = good;
  c.listen.clear();
  EXPECT_EQ(ValidateGrpcConfig(c).message(), "--listen: must not be empty");
  c = good;
  c.jwt_secret = "short";
  EXPECT_NE(ValidateGrpcConfig(c).message().find("$CANDOR_JWT_SECRET must be set"),
            absl::string_view::npos);
  c = good;
  c.jwt_audience.clear();
  EXPECT_EQ(ValidateGrpcConfig(c).message(), "--jwt-audience: must not be empty");
  c = good;
  c.drain_timeout_ms = -1;  // built in code, past the flag's range
  EXPECT_EQ(ValidateGrpcConfig(c).code(), absl::StatusCode::kInvalidArgument);
}

TEST(GrpcConfigTest, ServerAndVerifierOptionsFollowTheConfig) {
  const GrpcConfig c = {.listen = "0.0.0.0:7000",
                        .max_request_bytes = 65536,
                        .drain_grace_ms = 250,
                        .drain_timeout_ms = 3000,
                        .jwt_secret = kSecret,
                        .jwt_leeway_s = 5};
  const rpc::ServerOptions server = ServerOptionsOf(c);
  EXPECT_EQ(server.listen, "0.0.0.0:7000");
  EXPECT_EQ(server.max_receive_bytes, 65536);
  EXPECT_EQ(server.drain_grace, absl::Milliseconds(250));
  EXPECT_EQ(server.drain_timeout, absl::Seconds(3));
  EXPECT_TRUE(server.reflection);
  const auth::VerifierOptions verifier = VerifierOptionsOf(c);
  EXPECT_EQ(verifier.secret, kSecret);
  EXPECT_EQ(verifier.issuer, auth::kDefaultIssuer);
  EXPECT_EQ(verifier.leeway, absl::Seconds(5));
}

}  // namespace
}  // namespace candor::service
