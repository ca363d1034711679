#include "libs/datafile/line_reader.h"

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/datafile/datafile_testing.h"
#include "libs/testing/temp_dir.h"

namespace candor::datafile {
namespace {

using Lines = std::vector<std::pair<int64_t, std::string>>;

absl::Status ReadAll(const std::string& path, Lines* out) {
  return ForEachLine(path, [out](int64_t n, std::string_view text) {
    out->emplace_back(n, std::string(text));
    return absl::OkStatus();
  });
}

class LineReaderTest : public ::testing::Test {
 protected:
  candor::testing::TempDir dir_{"candor-datafile"};
};

TEST_F(LineReaderTest, NumbersLinesStripsCrLfAndKeepsALastLineWithoutNewline) {
  const std::string path = dir_.Path("a.txt");
  std::ofstream(path) << "one\r\n\ntwo\nthree";
  Lines lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  EXPECT_EQ(lines, (Lines{{1, "one"}, {2, ""}, {3, "two"}, {4, "three"}}));
  EXPECT_EQ(FileSize(path), 15);
}

TEST_F(LineReaderTest, ReadsGzip) {
  const std::string path = dir_.Path("a.txt.gz");
  ASSERT_NO_FATAL_FAILURE(testing::WriteGzip(path, "x\ny\n"));
  Lines lines;
  ASSERT_TRUE(ReadAll(path, &lines).ok());
  EXPECT_EQ(lines, (Lines{{1, "x"}, {2, "y"}}));
}

TEST_F(LineReaderTest, StopsOnTheCallbacksError) {
  const std::string path = dir_.Path("a.txt");
  std::ofstream(path) << "a\nb\nc\n";
  int calls = 0;
  const absl::Status s = ForEachLine(path, [&](int64_t n, std::string_view) {
    ++calls;
    return n == 2 ? absl::InvalidArgumentError("stop") : absl::OkStatus();
  });
  EXPECT_EQ(s, absl::InvalidArgumentError("stop"));
  EXPECT_EQ(calls, 2);
}

TEST_F(LineReaderTest, MissingFileAndDirectoryAreNotFound) {
  Lines lines;
  EXPECT_TRUE(absl::IsNotFound(ReadAll(dir_.Path("absent"), &lines)));
  EXPECT_TRUE(absl::IsNotFound(ReadAll(dir_.path().string(), &lines)));
  EXPECT_EQ(FileSize(dir_.Path("absent")), -1);
}

TEST_F(LineReaderTest, TruncatedGzipIsDataLoss) {
  const std::string full = dir_.Path("full.gz");
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i * 7919) + "\n";
  ASSERT_NO_FATAL_FAILURE(testing::WriteGzip(full, text));
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir_.Path("cut.gz");
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  Lines lines;
  EXPECT_TRUE(absl::IsDataLoss(ReadAll(cut, &lines)));
}

}  // namespace
}  // namespace candor::datafile
