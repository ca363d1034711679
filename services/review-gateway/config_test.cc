#include "services/review-gateway/config.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/service/flags_testing.h"

namespace candor::gateway {
namespace {

constexpr char kSecret[] = "gateway-config-test-secret-0123456789";

// Registers the gateway's flags on `config` and parses `args`; `usage` gets --help's text.
absl::Status Parse(Config* config, std::vector<std::string> args, std::string* usage = nullptr) {
  core::Flags flags("candor-review-gateway", "test");
  RegisterFlags(flags, config);
  if (usage != nullptr) *usage = flags.Usage();
  return service::ParseArgsForTest(flags, std::move(args));
}

TEST(GatewayConfigTest, TheServerAndTokenFlagsKeepTheGatewaysDefaults) {
  Config c;
  std::string usage;
  ASSERT_TRUE(Parse(&c, {}, &usage).ok());
  EXPECT_EQ(c.grpc.listen, "127.0.0.1:50051");
  EXPECT_EQ(c.grpc.max_request_bytes, 65536);
  EXPECT_EQ(c.grpc.drain_grace_ms, 0);
  EXPECT_EQ(c.grpc.drain_timeout_ms, 5000);
  EXPECT_EQ(c.grpc.jwt_issuer, "candor-dev");
  EXPECT_EQ(c.grpc.jwt_audience, "candor");
  EXPECT_EQ(c.grpc.jwt_leeway_s, 30);
  EXPECT_EQ(c.grpc.jwt_max_lifetime_s, 86400);
  EXPECT_NE(usage.find("--listen VALUE  [$CANDOR_GATEWAY_LISTEN]"), std::string::npos) << usage;
  EXPECT_NE(usage.find("(default: 65536)"), std::string::npos) << usage;
  // The secret is no flag.
  EXPECT_FALSE(Parse(&c, {"--jwt-secret=x"}).ok());
}

TEST(GatewayConfigTest, FlagsAndTheEnvironmentSetTheServerAndTokens) {
  setenv("CANDOR_GATEWAY_LISTEN", "127.0.0.1:50999", 1);
  setenv("CANDOR_JWT_SECRET", kSecret, 1);
  Config c;
  absl::Status s =
      Parse(&c, {"--drain-grace-ms=250", "--drain-timeout-ms=750", "--max-request-bytes=2048",
                 "--jwt-audience=candor-staging", "--jwt-leeway-s=5"});
  unsetenv("CANDOR_GATEWAY_LISTEN");
  unsetenv("CANDOR_JWT_SECRET");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.grpc.listen, "127.0.0.1:50999");
  EXPECT_EQ(c.grpc.jwt_secret, kSecret);
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
  const rpc::ServerOptions server = service::ServerOptionsOf(c.grpc);
  EXPECT_EQ(server.listen, "127.0.0.1:50999");
  EXPECT_EQ(server.max_receive_bytes, 2048);
  EXPECT_EQ(server.drain_grace, absl::Milliseconds(250));
  EXPECT_EQ(server.drain_timeout, absl::Milliseconds(750));
  const auth::VerifierOptions verifier = service::VerifierOptionsOf(c.grpc);
  EXPECT_EQ(verifier.audience, "candor-staging");
  EXPECT_EQ(verifier.leeway, absl::Seconds(5));
}

// The gateway takes requests of up to gRPC's default 4 MiB, not the 64 MiB GrpcConfig allows.
TEST(GatewayConfigTest, MaxRequestBytesStaysWithinTheGatewaysRange) {
  Config c;
  c.grpc.jwt_secret = kSecret;
  ASSERT_TRUE(Parse(&c, {"--max-request-bytes=4194304"}).ok());
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
  ASSERT_TRUE(Parse(&c, {"--max-request-bytes=4194305"}).ok());
  EXPECT_EQ(Validate(c).message(), "--max-request-bytes: 4194305 is outside [1024, 4194304]");
  EXPECT_FALSE(Parse(&c, {"--max-request-bytes=1023"}).ok());
}

TEST(GatewayConfigTest, ValidationNamesTheSetting) {
  Config c;
  EXPECT_NE(Validate(c).message().find("$CANDOR_JWT_SECRET"), absl::string_view::npos);
  c.grpc.jwt_secret = kSecret;
  EXPECT_TRUE(Validate(c).ok());
  c.log_level = "loud";
  EXPECT_EQ(Validate(c).code(), absl::StatusCode::kInvalidArgument);
  c.log_level = "info";
  c.grpc.jwt_issuer.clear();
  EXPECT_NE(Validate(c).message().find("--jwt-issuer"), absl::string_view::npos);
}

TEST(GatewayConfigTest, TheSearchBackendIsChosenAndChecked) {
  Config c;
  c.grpc.jwt_secret = kSecret;
  std::string usage;
  ASSERT_TRUE(
      Parse(&c, {"--search-backend=elasticsearch", "--es-url=http://es:9200"}, &usage).ok());
  EXPECT_EQ(c.search_backend.backend, "elasticsearch");
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
  EXPECT_NE(usage.find("--es-url VALUE  [$CANDOR_ES_URL]"), std::string::npos) << usage;
  c.search_backend.es_url.clear();
  EXPECT_NE(Validate(c).message().find("--es-url: required"), absl::string_view::npos);
  c.search_backend.backend = "lucene";
  EXPECT_NE(Validate(c).message().find("--search-backend: unknown backend 'lucene'"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace candor::gateway
