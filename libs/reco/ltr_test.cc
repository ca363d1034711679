#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reco/evaluation.h"
#include "libs/reco/funnel.h"
#include "libs/reco/ltr_ranker.h"
#include "libs/reco/ltr_train.h"
#include "libs/reco/popularity.h"
#include "libs/reco/rank_features.h"
#include "libs/testing/temp_dir.h"
#include "nlohmann/json.hpp"

namespace candor::reco {
namespace {

using ::testing::HasSubstr;

constexpr char kVersion[] = "reco-ltr-test-1";
constexpr auto kPlanted = static_cast<std::size_t>(RankFeature::kCoCosineLast);

// Groups of `size` random rows; one row per group (at a random place) is the positive, and only
// its kCoCosineLast is drawn from a higher range. Every other feature is noise.
RankDataset Planted(int groups, int size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  RankDataset d;
  for (int g = 0; g < groups; ++g) {
    const int positive = static_cast<int>(rng() % static_cast<uint64_t>(size));
    for (int r = 0; r < size; ++r) {
      RankFeatureVector v{};
      for (float& x : v) x = u(rng) * 10;
      v[kPlanted] = r == positive ? 0.6F + u(rng) * 0.4F : u(rng) * 0.5F;
      d.rows.push_back(v);
      d.labels.push_back(r == positive ? 1.0F : 0.0F);
    }
    d.group_sizes.push_back(static_cast<uint32_t>(size));
    d.users.push_back(g);
  }
  return d;
}

RankerMetadata Meta(int32_t candidates, std::vector<std::string> masked = {}) {
  RankerMetadata m;
  m.version = kVersion;
  m.candidates = candidates;
  m.recent_window_seconds = 86400;
  m.masked_features = std::move(masked);
  return m;
}

RankTrainParams SmallParams() {
  RankTrainParams p;
  p.max_depth = 3;
  p.eta = 0.3;
  p.max_rounds = 30;
  p.early_stopping_rounds = 10;
  p.threads = 1;
  p.seed = 5;
  return p;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class LtrTest : public ::testing::Test {
 protected:
  // Trains the planted ranker into `name` with its metadata.
  std::string Train(const std::string& name, const RankTrainParams& p = SmallParams()) {
    std::string path = dir_.Path(name);
    std::ostringstream progress;
    absl::StatusOr<RankTrainOutcome> out =
        TrainRanker(Planted(60, 20, 1), Planted(20, 20, 2), p, kVersion, path, &progress);
    EXPECT_TRUE(out.ok()) << out.status();
    if (out.ok()) {
      EXPECT_GT(out->best_rounds, 0);
      EXPECT_GT(out->best_valid_ndcg, 0.9);
    }
    EXPECT_THAT(progress.str(), HasSubstr("rank-train: round 0"));
    EXPECT_TRUE(WriteRankerMetadata(path, Meta(20), {{"seed", 5}}).ok());
    return path;
  }

  void EditMetadata(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(Slurp(path + ".meta.json"));
    edit(j);
    std::ofstream(path + ".meta.json") << j.dump();
  }

  candor::testing::TempDir dir_{"candor-reco-ltr-test"};
};

TEST_F(LtrTest, PutsThePlantedPositiveFirst) {
  const std::string path = Train("m.json");
  absl::StatusOr<std::unique_ptr<LtrRanker>> ranker = LtrRanker::Load(path);
  ASSERT_TRUE(ranker.ok()) << ranker.status();
  // Unseen groups: the positive must score highest in nearly all.
  const RankDataset test = Planted(50, 20, 3);
  int first = 0;
  for (std::size_t g = 0; g < test.groups(); ++g) {
    const std::span<const RankFeatureVector> rows(&test.rows[g * 20], 20);
    absl::StatusOr<std::vector<float>> s = (*ranker)->Score(rows);
    ASSERT_TRUE(s.ok()) << s.status();
    const auto best = std::max_element(s->begin(), s->end()) - s->begin();
    first += test.labels[g * 20 + static_cast<std::size_t>(best)] == 1 ? 1 : 0;
  }
  EXPECT_GE(first, 48);
}

TEST_F(LtrTest, ModelFileRoundTrips) {
  const std::string path = Train("m.json");
  absl::StatusOr<std::unique_ptr<LtrRanker>> a = LtrRanker::Load(path);
  ASSERT_TRUE(a.ok()) << a.status();
  const RankerMetadata& m = (*a)->metadata();
  EXPECT_EQ(m.version, kVersion);
  EXPECT_EQ(m.features_version, kRankFeaturesVersion);
  EXPECT_EQ(m.candidates, 20);
  EXPECT_EQ(m.recent_window_seconds, 86400);
  ASSERT_EQ(m.feature_names.size(), kRankFeatureCount);
  EXPECT_EQ(m.feature_names[kPlanted], "co_cosine_last");
  EXPECT_THAT(m.metadata_json, HasSubstr("\"seed\": 5"));

  // The same seed trains the same file, byte for byte; a loaded copy scores the same.
  const std::string again = Train("again.json");
  EXPECT_EQ(Slurp(path), Slurp(again));
  absl::StatusOr<std::unique_ptr<LtrRanker>> b = LtrRanker::Load(again);
  ASSERT_TRUE(b.ok());
  const RankDataset rows = Planted(3, 20, 9);
  absl::StatusOr<std::vector<float>> sa = (*a)->Score(rows.rows);
  absl::StatusOr<std::vector<float>> sb = (*b)->Score(rows.rows);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(*sa, *sb);
  EXPECT_EQ(sa->size(), 60U);
  // The flat form agrees with the typed one.
  absl::StatusOr<std::vector<float>> flat =
      (*a)->Score(std::span<const float>(rows.rows.front().data(), rows.size() * kRankFeatureCount),
                  kRankFeatureCount);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(*flat, *sa);
  absl::StatusOr<std::vector<float>> none = (*a)->Score(std::span<const RankFeatureVector>());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // rank:pairwise is a ranker too.
  RankTrainParams pairwise = SmallParams();
  pairwise.objective = "rank:pairwise";
  EXPECT_TRUE(LtrRanker::Load(Train("pairwise.json", pairwise)).ok());
}

TEST_F(LtrTest, WrongFeatureCountIsRefused) {
  const std::string path = Train("m.json");
  absl::StatusOr<std::unique_ptr<LtrRanker>> r = LtrRanker::Load(path);
  ASSERT_TRUE(r.ok());
  const std::vector<float> short_rows(3 * (kRankFeatureCount - 1), 1.0F);
  absl::StatusOr<std::vector<float>> s = (*r)->Score(short_rows, kRankFeatureCount - 1);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr(absl::StrCat("rows of ", kRankFeatureCount - 1,
                                     " features, the model takes ", kRankFeatureCount)));
  s = (*r)->Score(std::vector<float>(kRankFeatureCount + 1, 1.0F), kRankFeatureCount);
  EXPECT_THAT(s.status().message(), HasSubstr("are not whole rows"));

  // A booster trained on 5 columns, with metadata that otherwise fits.
  const std::string five = dir_.Path("five.json");
  std::vector<float> x(40 * 5);
  std::vector<float> y(40);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = i % 4 == 0 ? 1 : 0;
  const std::vector<uint32_t> groups(4, 10);
  DMatrixHandle m = nullptr;
  ASSERT_EQ(XGDMatrixCreateFromMat(x.data(), 40, 5, NAN, &m), 0);
  ASSERT_EQ(XGDMatrixSetFloatInfo(m, "label", y.data(), 40), 0);
  ASSERT_EQ(XGDMatrixSetUIntInfo(m, "group", groups.data(), groups.size()), 0);
  BoosterHandle b = nullptr;
  ASSERT_EQ(XGBoosterCreate(&m, 1, &b), 0);
  ASSERT_EQ(XGBoosterSetParam(b, "objective", "rank:ndcg"), 0);
  ASSERT_EQ(XGBoosterUpdateOneIter(b, 0, m), 0);
  ASSERT_EQ(XGBoosterSetAttr(b, kRankerVersionAttribute, kVersion), 0);
  ASSERT_EQ(XGBoosterSaveModel(b, five.c_str()), 0);
  XGBoosterFree(b);
  XGDMatrixFree(m);
  ASSERT_TRUE(WriteRankerMetadata(five, Meta(20), {}).ok());
  r = LtrRanker::Load(five);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr(absl::StrCat("the booster takes 5 features, this build computes ",
                                     kRankFeatureCount)));
}

TEST_F(LtrTest, BadFilesGiveClearErrors) {
  absl::StatusOr<std::unique_ptr<LtrRanker>> r = LtrRanker::Load(dir_.Path("absent.json"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("absent.json: cannot be read"));

  const std::string path = Train("m.json");
  std::filesystem::rename(path + ".meta.json", path + ".moved");
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("m.json.meta.json: cannot be read"));
  std::filesystem::rename(path + ".moved", path + ".meta.json");
  ASSERT_TRUE(LtrRanker::Load(path).ok());

  EditMetadata(path, [](nlohmann::json& j) { j["feature_names"][2] = "other"; });
  r = LtrRanker::Load(path);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("feature_names differ from this build's features at position 2: the model has "
                "\"other\", this build \"tower_gap\""));
  EditMetadata(path, [](nlohmann::json& j) {
    j["feature_names"][2] = "tower_gap";
    j["feature_names"].erase(j["feature_names"].size() - 1);
  });
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("the model has \"(none)\""));

  EditMetadata(path, [](nlohmann::json& j) {
    j["feature_names"].push_back("days_since_last_event");
    j["features_version"] = "reco-rank-features-0";
  });
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("features_version is \"reco-rank-features-0\""));

  EditMetadata(path, [](nlohmann::json& j) {
    j["features_version"] = kRankFeaturesVersion;
    j["version"] = "another";
  });
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("belongs to another model"));

  EditMetadata(path, [](nlohmann::json& j) {
    j["version"] = kVersion;
    j["candidates"] = 0;
  });
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("\"candidates\""));
  EditMetadata(path, [](nlohmann::json& j) {
    j["candidates"] = 20;
    j.erase("recent_window_seconds");
  });
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("\"recent_window_seconds\""));
  EditMetadata(path, [](nlohmann::json& j) { j["recent_window_seconds"] = 86400; });
  ASSERT_TRUE(LtrRanker::Load(path).ok());

  std::ofstream(path + ".meta.json") << "{not json";
  r = LtrRanker::Load(path);
  EXPECT_THAT(r.status().message(), HasSubstr("is not valid JSON"));

  const std::string junk = dir_.Path("junk.json");
  std::ofstream(junk) << "hello";
  ASSERT_TRUE(WriteRankerMetadata(junk, Meta(20), {}).ok());
  r = LtrRanker::Load(junk);
  EXPECT_THAT(r.status().message(), HasSubstr("is not a loadable XGBoost model"));
}

// A model whose metadata masks a feature scores every row as if that feature were missing.
TEST_F(LtrTest, MaskedFeaturesAreIgnored) {
  const std::string path = Train("m.json");
  absl::StatusOr<std::unique_ptr<LtrRanker>> plain = LtrRanker::Load(path);
  ASSERT_TRUE(plain.ok());
  EditMetadata(path, [](nlohmann::json& j) { j["masked_features"] = {"co_cosine_last"}; });
  absl::StatusOr<std::unique_ptr<LtrRanker>> masked = LtrRanker::Load(path);
  ASSERT_TRUE(masked.ok()) << masked.status();
  EXPECT_EQ((*masked)->metadata().masked_features, std::vector<std::string>{"co_cosine_last"});
  RankDataset rows = Planted(2, 20, 11);
  absl::StatusOr<std::vector<float>> got = (*masked)->Score(rows.rows);
  absl::StatusOr<std::vector<float>> full = (*plain)->Score(rows.rows);
  const std::vector<RankFeature> planted = {RankFeature::kCoCosineLast};
  MaskFeatures(planted, rows.rows);
  EXPECT_TRUE(std::isnan(rows.rows[0][kPlanted]));
  absl::StatusOr<std::vector<float>> want = (*plain)->Score(rows.rows);
  ASSERT_TRUE(got.ok() && want.ok() && full.ok());
  EXPECT_EQ(*got, *want);
  EXPECT_NE(*got, *full);

  EditMetadata(path, [](nlohmann::json& j) { j["masked_features"] = {"no_such_feature"}; });
  EXPECT_THAT(LtrRanker::Load(path).status().message(),
              HasSubstr("masked_features: unknown ranker feature \"no_such_feature\""));
  const std::vector<std::string> names = {"tower_rank", "history_length"};
  absl::StatusOr<std::vector<RankFeature>> found = FindRankFeatures(names);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found,
            (std::vector<RankFeature>{RankFeature::kTowerRank, RankFeature::kHistoryLength}));
}

TEST_F(LtrTest, TrainingRefusesBadInput) {
  const std::string path = dir_.Path("x.json");
  RankDataset empty;
  absl::StatusOr<RankTrainOutcome> out =
      TrainRanker(empty, Planted(2, 5, 1), SmallParams(), kVersion, path, nullptr);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("the training set is empty"));
  RankDataset uneven = Planted(2, 5, 1);
  uneven.group_sizes[0] = 4;
  out = TrainRanker(Planted(2, 5, 1), uneven, SmallParams(), kVersion, path, nullptr);
  EXPECT_THAT(out.status().message(), HasSubstr("disagree"));
  RankTrainParams p = SmallParams();
  p.objective = "binary:logistic";
  out = TrainRanker(Planted(2, 5, 1), Planted(2, 5, 2), p, kVersion, path, nullptr);
  EXPECT_THAT(out.status().message(), HasSubstr("not a rank:* objective"));
}

// A retrieval model that records what the dataset builder asks it.
class Spy : public Recommender {
 public:
  explicit Spy(Recommender& inner) : inner_(inner) {}
  std::string Name() const override { return "spy"; }
  absl::Status Fit(const Sequences& train) override { return inner_.Fit(train); }
  void Score(const Query& query, std::span<float> scores) override {
    queries.push_back(query);
    inner_.Score(query, scores);
  }
  std::vector<Query> queries;

 private:
  Recommender& inner_;
};

// Chains: user u reviews items s, s+1, ..., s+5 (mod 30) one a day from a start of its own, so
// the next item always follows the newest one; popularity knows nothing of that, co-reviews with
// the last item do. The ranker learns it from the validation items (retrieval = popularity, top
// 30 = every item) and the funnel must then find the test items.
TEST_F(LtrTest, FunnelLearnsWhatRetrievalMissesWithoutReadingTheTest) {
  InteractionLog log;
  for (int u = 0; u < 300; ++u) {
    const int32_t user = log.InternUser(absl::StrCat("u", u));
    for (int k = 0; k < 6; ++k) {
      log.Add(user, log.InternItem(absl::StrCat("i", (u * 7 + k) % 30)), 5, 86400LL * (u + k + 1));
    }
  }
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok());
  absl::StatusOr<MemoryFeatureSource> source = MemoryFeatureSource::Build(
      split->train,
      {.recent_window_seconds = 30 * 86400, .ratings = TrainRatings(log, *split), .tokens = {}});
  ASSERT_TRUE(source.ok()) << source.status();
  Popularity popularity;
  ASSERT_TRUE(popularity.Fit(split->train).ok());

  std::vector<int32_t> train_users;
  std::vector<int32_t> valid_users;
  for (const int32_t u : split->evaluated_users)
    (u % 5 == 0 ? valid_users : train_users).push_back(u);
  RankDatasetStats stats;
  int64_t calls = 0;
  Spy spy(popularity);
  const RankDataset train =
      BuildRankDataset(spy, *source, *split, Holdout::kValidation, train_users, 30, &stats,
                       [&](int64_t, int64_t) { ++calls; });
  // The examples are asked at the validation step: the train part as history, the validation
  // item's time as now (before the test item's); the test item is in no history.
  ASSERT_EQ(spy.queries.size(), train_users.size());
  for (const Query& q : spy.queries) {
    const Event& test = split->Target(q.user, Holdout::kTest);
    EXPECT_EQ(q.history.size(), split->train.Of(q.user).size());
    EXPECT_EQ(q.now, split->Target(q.user, Holdout::kValidation).unix_time);
    EXPECT_LT(q.now, test.unix_time);
    for (const Event& e : q.history) EXPECT_NE(e.item, test.item);
  }
  // The feature source holds the train events and no held-out one.
  int64_t held = 0;
  for (int32_t i = 0; i < 30; ++i) held += source->Item(i, int64_t{1} << 40).interactions;
  EXPECT_EQ(held, split->train.num_events());
  EXPECT_EQ(held, 300 * 4);
  EXPECT_EQ(stats.queries, 240);
  EXPECT_EQ(stats.with_positive, 240);  // 30 candidates of 30 items: always there
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(train.groups(), 240U);
  // History items are never candidates: 30 items minus the 4 train ones.
  EXPECT_EQ(train.group_sizes[0], 26U);
  const RankDataset valid = BuildRankDataset(popularity, *source, *split, Holdout::kValidation,
                                             valid_users, 30, nullptr, nullptr);
  const std::string path = dir_.Path("funnel.json");
  absl::StatusOr<RankTrainOutcome> out =
      TrainRanker(train, valid, SmallParams(), kVersion, path, nullptr);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(WriteRankerMetadata(path, Meta(30), {}).ok());
  absl::StatusOr<std::unique_ptr<LtrRanker>> ranker = LtrRanker::Load(path);
  ASSERT_TRUE(ranker.ok()) << ranker.status();

  Funnel funnel(popularity, *source, **ranker, 30);
  EXPECT_EQ(funnel.Name(), "funnel(popularity top 30 -> ltr)");
  ASSERT_TRUE(funnel.Fit(split->train).ok());
  const EvalResult alone = Evaluate(popularity, *split, Holdout::kTest, {});
  const EvalResult ranked = Evaluate(funnel, *split, Holdout::kTest, {});
  EXPECT_TRUE(funnel.status().ok()) << funnel.status();
  EXPECT_LT(alone.hit[0], 0.5);
  EXPECT_GT(ranked.hit[0], 0.95);
  EXPECT_GT(ranked.ndcg[0], alone.ndcg[0] + 0.3);
}

// The funnel's scores: candidates in the ranker's order above every other item, which keeps the
// retrieval's score; the history is never a candidate.
TEST_F(LtrTest, FunnelScoresPutCandidatesAboveTheRest) {
  const std::string path = Train("m.json");
  absl::StatusOr<std::unique_ptr<LtrRanker>> ranker = LtrRanker::Load(path);
  ASSERT_TRUE(ranker.ok());
  // Item i was reviewed by i users (item 0 by none).
  std::vector<int64_t> offsets = {0};
  std::vector<Event> events;
  for (int32_t i = 1; i < 8; ++i) {
    for (int32_t u = 0; u < i; ++u) {
      events.push_back({i, 10});
      offsets.push_back(static_cast<int64_t>(events.size()));
    }
  }
  const Sequences train(8, offsets, events);
  absl::StatusOr<MemoryFeatureSource> source = MemoryFeatureSource::Build(train, {});
  ASSERT_TRUE(source.ok());
  Popularity popularity;
  Funnel funnel(popularity, *source, **ranker, 3);
  ASSERT_TRUE(funnel.Fit(train).ok());
  const std::vector<Event> history = {{7, 5}};
  std::vector<float> scores(8);
  funnel.Score(Query{0, history, 100}, scores);
  ASSERT_TRUE(funnel.status().ok());
  // Candidates: 6, 5, 4 (7 is the history). The rest keep their counts: 7 -> 7, 3 -> 3...
  ASSERT_EQ(funnel.last_ranked().size(), 3U);
  std::vector<int32_t> candidates;
  for (const Funnel::Ranked& r : funnel.last_ranked()) candidates.push_back(r.item);
  std::sort(candidates.begin(), candidates.end());
  EXPECT_EQ(candidates, (std::vector<int32_t>{4, 5, 6}));
  EXPECT_EQ(scores[7], 7);
  EXPECT_EQ(scores[3], 3);
  EXPECT_EQ(scores[0], 0);
  for (const Funnel::Ranked& r : funnel.last_ranked()) {
    EXPECT_GT(scores[static_cast<std::size_t>(r.item)], 7);
  }
  // The ranker's order, best first (ties keep equal scores).
  for (std::size_t k = 1; k < 3; ++k) {
    const Funnel::Ranked& a = funnel.last_ranked()[k - 1];
    const Funnel::Ranked& b = funnel.last_ranked()[k];
    EXPECT_GE(a.score, b.score);
    if (a.score > b.score) {
      EXPECT_GT(scores[static_cast<std::size_t>(a.item)], scores[static_cast<std::size_t>(b.item)]);
    } else {
      EXPECT_EQ(scores[static_cast<std::size_t>(a.item)], scores[static_cast<std::size_t>(b.item)]);
    }
  }
}

}  // namespace
}  // namespace candor::reco
