#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/service/flags_testing.h"
#include "libs/service/rest_component.h"

namespace candor::service {
namespace {

absl::Status ParseRest(RestConfig* config, std::vector<std::string> args,
                       std::string* usage = nullptr) {
  core::Flags flags("candor-resttest", "A test service.");
  RegisterRestFlags(flags, "CANDOR_RESTTEST_", config, 8088);
  if (usage != nullptr) *usage = flags.Usage();
  return ParseArgsForTest(flags, std::move(args));
}

TEST(RestConfigTest, FlagsTheServicesDefaultPortAndItsPrefix) {
  setenv("CANDOR_RESTTEST_HTTP_THREADS", "3", 1);
  RestConfig config;
  EXPECT_EQ(config.port, -1);  // a Config built by hand has no REST front
  std::string usage;
  ASSERT_TRUE(
      ParseRest(&config, {"--cors-origins=https://shop.example, http://localhost:3000"}, &usage)
          .ok());
  unsetenv("CANDOR_RESTTEST_HTTP_THREADS");
  EXPECT_EQ(config.port, 8088);
  EXPECT_EQ(config.threads, 3);
  EXPECT_NE(usage.find("--http-port VALUE  [$CANDOR_RESTTEST_HTTP_PORT]"), std::string::npos)
      << usage;
  EXPECT_TRUE(ValidateRestConfig(config).ok());
  EXPECT_FALSE(ParseRest(&config, {"--http-port=-2"}).ok());
  EXPECT_FALSE(ParseRest(&config, {"--http-threads=0"}).ok());
  EXPECT_TRUE(ParseRest(&config, {"--http-port=-1"}).ok());
}

TEST(RestConfigTest, CorsOriginsMustBeOrigins) {
  for (const char* bad : {"shop.example", "https://shop.example/path", "ftp://x", "https://"}) {
    RestConfig config{.cors_origins = bad};
    absl::Status s = ValidateRestConfig(config);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("--cors-origins"), std::string::npos) << s;
  }
  EXPECT_TRUE(ValidateRestConfig({.cors_origins = "*"}).ok());
  EXPECT_TRUE(ValidateRestConfig({.cors_origins = ""}).ok());
}

TEST(RestConfigTest, OptionsFollowTheGrpcSettings) {
  GrpcConfig grpc = {.listen = "0.0.0.0:50051",
                     .max_request_bytes = 65536,
                     .drain_grace_ms = 250,
                     .drain_timeout_ms = 3000};
  RestConfig rest{.port = 0,
                  .threads = 4,
                  .deadline_ms = 1500,
                  .idle_timeout_s = 30,
                  .cors_origins = "https://a.example,https://b.example"};
  rest::ServerOptions o = RestOptionsOf(rest, grpc);
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.max_body_bytes, 65536u);
  EXPECT_EQ(o.deadline, absl::Milliseconds(1500));
  EXPECT_EQ(o.drain_grace, absl::Milliseconds(250));
  EXPECT_EQ(o.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(o.Check().ok());
  grpc.listen = "[::1]:50051";
  EXPECT_EQ(RestOptionsOf(rest, grpc).host, "::1");
  grpc.listen = "localhost:50051";
  EXPECT_EQ(RestOptionsOf(rest, grpc).host, "127.0.0.1");
}

}  // namespace
}  // namespace candor::service
