#include "libs/reco/tool.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/temp_dir.h"

namespace candor::reco {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// argv for Flags::Parse from words (the strings outlive the call).
class Argv {
 public:
  explicit Argv(std::vector<std::string> words) : words_(std::move(words)) {
    for (std::string& w : words_) pointers_.push_back(w.data());
  }
  int argc() const { return static_cast<int>(pointers_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> words_;
  std::vector<char*> pointers_;
};

struct Parsed {
  int rc;
  std::string err;
};

Parsed Parse(ToolDataFlags& data, std::vector<std::string> words) {
  core::Flags flags("tool-test", "test");
  AddSourceFlags(flags, data);
  AddSplitFlags(flags, data);
  AddLenientFlag(flags, data);
  Argv argv(std::move(words));
  std::ostringstream err;
  const int rc = ParseToolFlags(flags, "tool-test", argv.argc(), argv.argv(), err);
  return {rc, err.str()};
}

TEST(ToolFlagsTest, ParseFillsTheDataFlags) {
  ToolDataFlags data;
  const Parsed p = Parse(data, {"tool-test", "--tsv", "r.tsv", "--lenient", "--split-mode", "time",
                                "--time-quantiles", "0.5,0.8"});
  EXPECT_EQ(p.rc, -1) << p.err;
  EXPECT_EQ(data.tsv, "r.tsv");
  EXPECT_TRUE(data.lenient);
  EXPECT_EQ(data.split_mode, "time");
  EXPECT_EQ(data.time_quantiles, "0.5,0.8");
  EXPECT_EQ(data.Source().tsv, "r.tsv");
  EXPECT_TRUE(data.Source().beauty_dir.empty());
  EXPECT_TRUE(data.Options().lenient);
  EXPECT_EQ(data.Options().max_reasons, 5);
}

TEST(ToolFlagsTest, HelpListsTheFlagsInOrderWithTheirDefaults) {
  ToolDataFlags data;
  core::Flags flags("tool-test", "test");
  AddSourceFlags(flags, data);
  AddSplitFlags(flags, data);
  AddLenientFlag(flags, data);
  const std::string usage = flags.Usage();
  std::size_t at = 0;
  for (const char* name : {"--beauty", "--amazon-json", "--tsv", "--pg-dsn", "--split-mode",
                           "--time-quantiles", "--lenient"}) {
    const std::size_t found = usage.find(name, at);
    ASSERT_NE(found, std::string::npos) << name << " missing or out of order in\n" << usage;
    at = found;
  }
  EXPECT_THAT(usage, HasSubstr("(default: leave-one-out)"));
  EXPECT_THAT(usage, HasSubstr("(default: 0.9,0.95)"));
}

TEST(ToolFlagsTest, APositionalArgumentIsAUsageError) {
  ToolDataFlags data;
  const Parsed p = Parse(data, {"tool-test", "--tsv", "r.tsv", "stray"});
  EXPECT_EQ(p.rc, kToolUsage);
  EXPECT_EQ(p.err, "tool-test: unexpected argument 'stray' (see --help)\n");
}

TEST(ToolFlagsTest, ValidateNeedsOneSourceAndAGoodSplit) {
  std::ostringstream err;
  ToolDataFlags none;
  EXPECT_EQ(ValidateDataFlags(none, "tool-test", err), kToolUsage);
  EXPECT_THAT(err.str(), StartsWith("tool-test: "));
  EXPECT_THAT(err.str(), HasSubstr("(see --help)\n"));

  ToolDataFlags two;
  two.tsv = "a.tsv";
  two.beauty = "dir";
  err.str("");
  EXPECT_EQ(ValidateDataFlags(two, "tool-test", err), kToolUsage);

  ToolDataFlags random;
  random.tsv = "a.tsv";
  random.split_mode = "random";
  err.str("");
  EXPECT_EQ(ValidateDataFlags(random, "tool-test", err), kToolUsage);
  EXPECT_THAT(err.str(), HasSubstr("split-mode must be leave-one-out or time"));

  ToolDataFlags good;
  good.tsv = "a.tsv";
  err.str("");
  EXPECT_EQ(ValidateDataFlags(good, "tool-test", err), -1);
  EXPECT_EQ(err.str(), "");
}

class LoadForToolTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.Path(name);
    std::ofstream(path) << text;
    return path;
  }
  // LoadForTool as the tools call it, what it prints in err_; a fatal failure showing the print
  // when it does not succeed.
  void Load(const ToolDataFlags& data, ToolData* loaded) {
    ASSERT_EQ(LoadForTool(data, "tool-test", err_, loaded), -1) << err_.str();
  }
  testing::TempDir dir_{"candor-reco-tool-test"};
  std::ostringstream err_;
};

TEST_F(LoadForToolTest, LoadsAndPrintsTheLoadLine) {
  ToolDataFlags data;
  data.tsv = Write("r.tsv", "u1\ti1\t5\t1\nu1\ti2\t4\t2\nu2\ti1\t3\t3\n");
  ToolData loaded;
  ASSERT_NO_FATAL_FAILURE(Load(data, &loaded));
  EXPECT_EQ(loaded.log.num_users(), 2);
  EXPECT_EQ(loaded.log.num_items(), 2);
  EXPECT_EQ(loaded.report.interactions, 3);
  EXPECT_THAT(err_.str(), HasSubstr("3 interactions, 2 users, 2 items (3 lines, 0 skipped) in "));
  EXPECT_THAT(err_.str(), StartsWith("load: "));

  const nlohmann::json j = DataJson(loaded, "fnv1a64:0", "items.tsv", 1);
  EXPECT_EQ(j["interactions"], 3);
  EXPECT_EQ(j["users"], 2);
  EXPECT_EQ(j["items"], 2);
  EXPECT_EQ(j["skipped_lines"], 0);
  EXPECT_EQ(j["checksum"], "fnv1a64:0");
  EXPECT_EQ(j["content"], "items.tsv");
  EXPECT_EQ(j["items_with_content"], 1);
  EXPECT_EQ(j["source"], loaded.report.source);
}

TEST_F(LoadForToolTest, LenientSkipsAndNamesTheBadLine) {
  ToolDataFlags data;
  data.tsv = Write("mixed.tsv", "u1\ti1\t5\t1\nu1 i2 5 2\nu2\ti1\t3\t3\n");
  data.lenient = true;
  ToolData loaded;
  ASSERT_NO_FATAL_FAILURE(Load(data, &loaded));
  EXPECT_EQ(loaded.report.skipped, 1);
  EXPECT_THAT(err_.str(), HasSubstr("(3 lines, 1 skipped)"));
  EXPECT_THAT(err_.str(), HasSubstr("  skipped: " + data.tsv + ":2: expected 4 tab-separated"));
}

TEST_F(LoadForToolTest, SplitsAsTheFlagsSayOrFailsNamingTheProgram) {
  ToolDataFlags data;
  data.tsv = Write("s.tsv", "u1\ti1\t5\t1\nu1\ti2\t4\t2\nu1\ti3\t3\t3\nu2\ti1\t3\t4\n");
  ToolData loaded;
  ASSERT_NO_FATAL_FAILURE(Load(data, &loaded));
  std::ostringstream split_err;
  LeaveOneOutSplit split;
  ASSERT_EQ(SplitForTool(data, loaded.log, "tool-test", split_err, &split), -1) << split_err.str();
  EXPECT_EQ(split.evaluated_users.size(), 1u);  // u1: three interactions
  EXPECT_EQ(split_err.str(), "split: " + DescribeSplit(split) + "\n");
  data.split_mode = "random";
  std::ostringstream bad_err;
  EXPECT_EQ(SplitForTool(data, loaded.log, "tool-test", bad_err, &split), kToolFailed);
  EXPECT_THAT(bad_err.str(), StartsWith("tool-test: "));
}

TEST_F(LoadForToolTest, BadDataFailsAndAbsentDataSkips) {
  ToolDataFlags bad;
  bad.tsv = Write("bad.tsv", "u1\ti1\t5\t1\nu1 i2 5 2\n");
  std::ostringstream err;
  ToolData loaded;
  EXPECT_EQ(LoadForTool(bad, "tool-test", err, &loaded), kToolFailed);
  EXPECT_THAT(err.str(), StartsWith("tool-test: " + bad.tsv + ":2: expected 4 tab-separated"));

  ToolDataFlags absent;
  absent.tsv = dir_.Path("absent.tsv");
  err.str("");
  EXPECT_EQ(LoadForTool(absent, "tool-test", err, &loaded), kToolUsage);
  EXPECT_THAT(err.str(), StartsWith("tool-test: skipped: "));
  EXPECT_THAT(err.str(), HasSubstr("(the data is absent; the shared data folder is"));
}

TEST_F(LoadForToolTest, ATrainersInputIsLoadedContentAndSplitInOneCall) {
  ToolDataFlags data;
  data.tsv = Write("r.tsv", "u1\ti1\t5\t1\nu1\ti2\t4\t2\nu1\ti3\t4\t3\nu2\ti3\t3\t4\n");
  const std::string items = Write("items.tsv", "item\ttext\ni1\tred shade\n");
  std::ostringstream err;
  TrainerInput input;
  ASSERT_EQ(LoadTrainerInput(data, items, 64, "tool-test", err, &input), -1) << err.str();
  EXPECT_EQ(input.data.report.interactions, 4);
  EXPECT_EQ(input.checksum, DataChecksum(input.data.log));
  EXPECT_EQ(input.content.described, 1);
  EXPECT_EQ(input.split.evaluated_users.size(), 1u);  // u1: three interactions
  // The three steps' lines, in order.
  const std::string text = err.str();
  EXPECT_THAT(text, StartsWith("load: "));
  EXPECT_LT(text.find("content: "), text.find("split: "));

  // The first failure's code: a content file that is absent fails before the split.
  err.str("");
  TrainerInput failed;
  EXPECT_EQ(LoadTrainerInput(data, dir_.Path("absent.tsv"), 64, "tool-test", err, &failed),
            kToolFailed);
  EXPECT_EQ(err.str().find("split: "), std::string::npos);
  // Absent data: the usage code of a skip.
  ToolDataFlags absent;
  absent.tsv = dir_.Path("absent-data.tsv");
  err.str("");
  EXPECT_EQ(LoadTrainerInput(absent, "", 64, "tool-test", err, &failed), kToolUsage);
}

TEST_F(LoadForToolTest, ContentIsLoadedForTheDataItemsAndCounted) {
  ToolDataFlags data;
  data.tsv = Write("r.tsv", "u1\ti1\t5\t1\nu1\ti2\t4\t2\nu2\ti3\t3\t3\n");
  ToolData loaded;
  ASSERT_NO_FATAL_FAILURE(Load(data, &loaded));
  const std::string items =
      Write("items.tsv", "item\ttext\ni1\tred shade\ni3\tblue shade\nelsewhere\tnot here\n");
  err_.str("");
  ToolContent content;
  ASSERT_EQ(LoadContentForTool(items, 64, data, loaded, "tool-test", err_, &content), -1)
      << err_.str();
  ASSERT_EQ(content.tokens.size(), 3U);
  EXPECT_FALSE(content.tokens[0].empty());
  EXPECT_TRUE(content.tokens[1].empty());  // i2 is not described
  EXPECT_FALSE(content.tokens[2].empty());
  EXPECT_EQ(content.described, 2);
  EXPECT_EQ(err_.str(), "content: " + items +
                            ": 2 of 3 items have tokens (64 buckets); 1 lines name items not in "
                            "the data, 0 skipped\n");

  ToolContent none;
  err_.str("");
  EXPECT_EQ(LoadContentForTool("", 64, data, loaded, "tool-test", err_, &none), -1);
  EXPECT_TRUE(none.tokens.empty());
  EXPECT_EQ(err_.str(), "");

  err_.str("");
  EXPECT_EQ(LoadContentForTool(dir_.Path("absent.tsv"), 64, data, loaded, "tool-test", err_, &none),
            kToolFailed);
  EXPECT_THAT(err_.str(), StartsWith("tool-test: "));
}

EvalResult Result() {
  EvalResult r;
  r.model = "popularity";
  r.protocol = "leave-one-out, full ranking, history masked";
  r.holdout = Holdout::kTest;
  r.users = 60;
  r.items = 30;
  r.cutoffs = {10, 20};
  r.hit = {0.5, 0.75};
  r.ndcg = {0.25, 0.3125};
  r.seconds = 1.5;
  return r;
}

TEST(ToolReportTest, ResultsAsJsonAndAsTableRows) {
  const nlohmann::json j = EvalResultJson(Result());
  EXPECT_EQ(j["model"], "popularity");
  EXPECT_EQ(j["split"], "test");
  EXPECT_EQ(j["users"], 60);
  EXPECT_EQ(j["items"], 30);
  EXPECT_EQ(j["hr@10"], 0.5);
  EXPECT_EQ(j["ndcg@20"], 0.3125);
  EXPECT_EQ(j["seconds"], 1.5);

  EXPECT_EQ(ResultRow(Result()),
            "| popularity | leave-one-out, full ranking, history masked | test | 60 | 0.5000 | "
            "0.2500 | 0.7500 | 0.3125 |");
  EXPECT_THAT(ResultRow(Result(), "twotower(epoch 3)"), StartsWith("| twotower(epoch 3) | "));
  EXPECT_EQ(FullRankingNote(30),
            "Ranked against all 30 items; HR and NDCG with tied scores in expectation.\n\n");
}

TEST(ToolReportTest, WriteJsonReportWritesOrFailsNamingThePath) {
  const testing::TempDir dir("candor-reco-tool-test");
  const std::string path = dir.Path("out.json");
  std::ostringstream err;
  EXPECT_EQ(WriteJsonReport(nlohmann::json{{"a", 1}}, path, "tool-test", err), 0);
  EXPECT_EQ(err.str(), "wrote " + path + "\n");
  std::ifstream in(path);
  EXPECT_EQ(nlohmann::json::parse(in), (nlohmann::json{{"a", 1}}));

  err.str("");
  EXPECT_EQ(WriteJsonReport(nlohmann::json{}, "", "tool-test", err), 0);
  EXPECT_EQ(err.str(), "");
  const std::string unwritable = dir.Path("no/such/folder/out.json");
  EXPECT_EQ(WriteJsonReport(nlohmann::json{}, unwritable, "tool-test", err), kToolFailed);
  EXPECT_EQ(err.str(), "tool-test: cannot write " + unwritable + "\n");
}

}  // namespace
}  // namespace candor::reco
