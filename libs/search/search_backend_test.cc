#include "libs/search/search_backend.h"

#include <cstdlib>

#include "gtest/gtest.h"
#include "libs/testing/temp_dir.h"

namespace candor::search {
namespace {

std::string Check(const BackendConfig& c) {
  return std::string(ValidateBackendConfig(c).message());
}

TEST(SearchBackendConfigTest, XapianIsTheDefault) {
  BackendConfig c;
  EXPECT_EQ(c.backend, "xapian");
  EXPECT_TRUE(ValidateBackendConfig(c).ok());
}

TEST(SearchBackendConfigTest, BadSettingsNameTheirFlag) {
  BackendConfig c;
  c.backend = "solr";
  EXPECT_EQ(Check(c), "--search-backend: unknown backend 'solr' (xapian or elasticsearch)");
  c.backend = "elasticsearch";
  EXPECT_EQ(Check(c),
            "--es-url: required with --search-backend elasticsearch (e.g. http://127.0.0.1:9200)");
  c.es_url = "127.0.0.1:9200";
  EXPECT_TRUE(Check(c).starts_with("--es-url: URL '127.0.0.1:9200'")) << Check(c);
  c.es_url = "http://127.0.0.1:9200";
  EXPECT_TRUE(ValidateBackendConfig(c).ok());
  c.es_index = "Reviews";
  EXPECT_TRUE(Check(c).starts_with("--es-index: index name 'Reviews'")) << Check(c);
}

TEST(SearchBackendConfigTest, FlagsAndEnvironment) {
  BackendConfig c;
  core::Flags flags("t", "test");
  RegisterBackendFlags(flags, &c);
  setenv("CANDOR_ES_INDEX", "from-env", 1);
  const char* argv[] = {"t", "--search-backend", "elasticsearch", "--es-url", "http://es:9200"};
  ASSERT_TRUE(flags.Parse(5, const_cast<char**>(argv)).ok());
  unsetenv("CANDOR_ES_INDEX");
  EXPECT_EQ(c.backend, "elasticsearch");
  EXPECT_EQ(c.es_url, "http://es:9200");
  EXPECT_EQ(c.es_index, "from-env");
  const std::string usage = flags.Usage();
  for (const char* name : {"--search-backend", "$CANDOR_SEARCH_BACKEND", "--es-url",
                           "$CANDOR_ES_URL", "--es-index", "--es-timeout-ms"}) {
    EXPECT_NE(usage.find(name), std::string::npos) << name;
  }
}

TEST(SearchBackendOpenTest, AnUnreachableClusterStopsTheStartNamingIt) {
  BackendConfig c;
  c.backend = "elasticsearch";
  c.es_url = "http://127.0.0.1:1";  // nothing listens on port 1
  c.es_timeout_ms = 500;
  for (const absl::Status& status :
       {OpenIndexForWriting(c, "").status(), OpenIndexForSearching(c, "", 2).status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_NE(status.message().find("Elasticsearch at http://127.0.0.1:1 does not answer"),
              std::string::npos)
        << status;
  }
  c.backend = "nope";
  EXPECT_EQ(OpenIndexForWriting(c, "").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SearchBackendOpenTest, XapianOpensTheDirectory) {
  candor::testing::TempDir root("candor-backend");
  const std::string dir = root.Path("index");
  BackendConfig c;
  {
    auto writer = OpenIndexForWriting(c, dir);
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_EQ(*(*writer)->DocumentCount(), 0);
  }
  auto reader = OpenIndexForSearching(c, dir, 2);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Upsert({}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DescribeBackend(c, dir), "xapian index " + dir);
  c.backend = "elasticsearch";
  c.es_url = "http://u:p@es:9200";
  EXPECT_EQ(DescribeBackend(c, dir), "elasticsearch index candor-reviews at http://es:9200");
}

}  // namespace
}  // namespace candor::search
