#include "libs/core/file.h"

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/testing/temp_dir.h"

namespace candor::core {
namespace {

TEST(ReadFileTest, ReturnsEveryByte) {
  const testing::TempDir dir("candor-core-file-test");
  const std::string path = dir.Path("bytes");
  const std::string bytes("line one\r\n\0binary\xff tail without newline", 39);
  std::ofstream(path, std::ios::binary) << bytes;
  absl::StatusOr<std::string> read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, bytes);
}

TEST(ReadFileTest, AnEmptyFileIsEmpty) {
  const testing::TempDir dir("candor-core-file-test");
  const std::string path = dir.Path("empty");
  std::ofstream(path, std::ios::binary).close();
  absl::StatusOr<std::string> read = ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "");
}

TEST(ReadFileTest, AMissingFileIsNotFoundNamingIt) {
  const testing::TempDir dir("candor-core-file-test");
  const std::string path = dir.Path("absent");
  absl::StatusOr<std::string> read = ReadFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(read.status().message(), path + ": cannot open");
}

}  // namespace
}  // namespace candor::core
