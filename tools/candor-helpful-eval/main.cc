// candor-helpful-eval: does ranking by the Wilson lower bound put the reviews shoppers will find
// helpful first? Splits every review's real votes into a seen and a future half, ranks each
// product's reviews by several orders using the seen half only, and scores each order by NDCG@k
// against the future half. See README.md.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/core/flags.h"
#include "tools/candor-drive/traffic.h"
#include "tools/candor-helpful-eval/evaluation.h"

namespace candor::helpful_eval {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr char kDefaultData[] =
    "/../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz";

struct Settings {
  int64_t seeds = 5;
  int64_t first_seed = 1;
  int64_t k = 10;
  int64_t min_future_votes = 3;
  int64_t min_judged = 2;
  double seen_share = 0.5;
  int64_t examples = 3;
};

// Reads every file's reviews that carry votes; the id is reviewerID + asin (unique per file).
bool ReadVoted(const std::vector<std::string>& paths, std::vector<VotedReview>* out) {
  for (const std::string& path : paths) {
    drive::ReadStats stats;
    absl::StatusOr<drive::Plan> plan = drive::ReadReviewsFile(path, 0, "", &stats);
    if (!plan.ok()) {
      std::cerr << "candor-helpful-eval: " << plan.status().message() << "\n";
      return false;
    }
    int64_t voted = 0, votes = 0;
    for (const drive::PlannedRequest& p : plan->primaries) {
      const drive::Review& r = p.review;
      if (!r.votes || r.votes->total <= 0) continue;
      out->push_back(VotedReview{absl::StrCat(r.user, "/", r.asin), r.asin, r.votes->helpful,
                                 r.votes->total, r.submitted_at.value_or(absl::UnixEpoch())});
      ++voted;
      votes += r.votes->total;
    }
    std::cerr << absl::StrFormat(
        "candor-helpful-eval: %s: %d reviews, %d with votes (%d votes), %d malformed lines, %d "
        "unusable vote fields\n",
        path, plan->primaries.size(), voted, votes, stats.malformed, stats.bad_votes);
  }
  return true;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double StdDev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

std::string Cell(const JudgedReview& j) {
  return absl::StrFormat("%d/%d seen, %.2f future (%d/%d)", j.votes.seen_helpful,
                         j.votes.seen_total, j.relevance, j.votes.future_helpful,
                         j.votes.future_total);
}

void PrintExamples(const SeedResult& first, const Settings& s, const Options& options) {
  // The products where the two orders disagree come first (they are the instructive ones), the
  // most judged reviews first among them.
  std::mt19937_64 unused(0);
  auto differ = [&](const ProductCase& c) {
    std::vector<JudgedReview> a = Rank(c.judged, Order::kWilson, options.params, unused);
    std::vector<JudgedReview> b = Rank(c.judged, Order::kHelpfulCount, options.params, unused);
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].review != b[i].review) return true;
    }
    return false;
  };
  std::vector<std::pair<bool, const ProductCase*>> ordered;
  for (const ProductCase& c : first.cases) ordered.emplace_back(differ(c), &c);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first;
    return a.second->judged.size() > b.second->judged.size();
  });
  std::vector<const ProductCase*> cases;
  for (const auto& [unused_differ, c] : ordered) {
    if (static_cast<int64_t>(cases.size()) == s.examples) break;
    cases.push_back(c);
  }
  for (const ProductCase* c : cases) {
    std::vector<JudgedReview> wilson = Rank(c->judged, Order::kWilson, options.params, unused);
    std::vector<JudgedReview> count = Rank(c->judged, Order::kHelpfulCount, options.params, unused);
    auto ndcg = [&](const std::vector<JudgedReview>& ranked) {
      std::vector<double> rel;
      for (const JudgedReview& j : ranked) rel.push_back(j.relevance);
      return NdcgAtK(rel, options.k);
    };
    std::cout << absl::StrFormat(
        "\n### Product %s (seed %d): %d judged reviews; NDCG@%d wilson %.3f, helpful count "
        "%.3f\n\n",
        c->asin, first.seed, c->judged.size(), s.k, ndcg(wilson), ndcg(count));
    std::cout << "| rank | by Wilson: helpful/total seen, future ratio | by helpful count |\n"
              << "|---|---|---|\n";
    const size_t rows = std::min<size_t>(wilson.size(), static_cast<size_t>(s.k));
    for (size_t i = 0; i < rows; ++i) {
      std::cout << absl::StrFormat("| %d | %s | %s |\n", i + 1, Cell(wilson[i]), Cell(count[i]));
    }
  }
}

int Run(int argc, char** argv) {
  Settings s;
  core::Flags flags(
      "candor-helpful-eval",
      "Arguments: AMAZON_REVIEWS.json[.gz] ... (Amazon 2014 JSON lines with `helpful` = [yes,\n"
      "total]; default: the Musical Instruments 5-core file in ../shared/data).\n"
      "Deals each review's real helpfulness votes at random into a seen and a future share,\n"
      "ranks each product's reviews by Wilson lower bound, Wilson x recency (Candor's sort\n"
      "key), raw helpful count, helpful ratio, newest and random, using the seen share only,\n"
      "and prints each order's mean NDCG@k against the future share's helpful ratio, per seed\n"
      "and over the seeds, then the Wilson order beside the raw-count order for a few products.\n"
      "Exit 0 on success, 1 on a failure, 2 on bad usage or when the files are absent.");
  flags.AddInt("seeds", "", &s.seeds, "how many seeds (splits) to average over", 1, 1000);
  flags.AddInt("first-seed", "", &s.first_seed, "the first seed; the others follow it", 0,
               INT64_MAX - 1000);
  flags.AddInt("k", "", &s.k, "NDCG cut-off", 1, 1000);
  flags.AddInt("min-future-votes", "", &s.min_future_votes,
               "a review is judged when its future share has at least this many votes", 1, 1000000);
  flags.AddInt("min-judged", "", &s.min_judged,
               "a product is evaluated when it has at least this many judged reviews", 2, 1000000);
  flags.AddDouble("seen-share", "", &s.seen_share, "each vote's chance to land in the seen share",
                  0.05, 0.95);
  flags.AddInt("examples", "", &s.examples, "products shown side by side (the most judged)", 0,
               100);
  if (const int rc = core::ParseOrExit(flags, argc, argv); rc >= 0) return rc;

  std::vector<std::string> paths = flags.positional();
  if (paths.empty()) paths.push_back(std::string(CANDOR_SOURCE_DIR) + kDefaultData);
  for (const std::string& path : paths) {
    if (!std::filesystem::exists(path)) {
      std::cerr << "candor-helpful-eval: skipped: " << path
                << " does not exist (pass a reviews file in the Amazon JSON-lines format)\n";
      return kUsage;
    }
  }
  std::vector<VotedReview> reviews;
  if (!ReadVoted(paths, &reviews)) return kFailed;

  Options options;
  options.k = static_cast<int>(s.k);
  options.seen_share = s.seen_share;
  options.min_future_votes = s.min_future_votes;
  options.min_judged_per_product = static_cast<int>(s.min_judged);

  std::vector<SeedResult> results;
  for (int64_t i = 0; i < s.seeds; ++i) {
    results.push_back(EvaluateSeed(reviews, static_cast<uint64_t>(s.first_seed + i), options));
    std::cerr << absl::StrFormat("candor-helpful-eval: seed %d: %d products, %d judged reviews\n",
                                 results.back().seed, results.back().products,
                                 results.back().judged);
  }
  if (results.front().products == 0) {
    std::cerr << "candor-helpful-eval: no product has " << s.min_judged
              << " reviews with enough future votes; lower --min-future-votes or --min-judged\n";
    return kFailed;
  }

  std::cout << absl::StrFormat(
      "## Mean NDCG@%d per product (seen share %.2f; judged: >= %d future votes; products with "
      ">= %d judged reviews)\n\n",
      s.k, s.seen_share, s.min_future_votes, s.min_judged);
  std::cout << "| order |";
  for (const SeedResult& r : results) std::cout << " seed " << r.seed << " |";
  std::cout << " mean | sd |\n|---|";
  for (size_t i = 0; i < results.size() + 2; ++i) std::cout << "---|";
  std::cout << "\n";
  for (size_t o = 0; o < std::size(kAllOrders); ++o) {
    std::vector<double> per_seed;
    std::cout << "| " << OrderName(kAllOrders[o]) << " |";
    for (const SeedResult& r : results) {
      per_seed.push_back(r.ndcg[o]);
      std::cout << absl::StrFormat(" %.4f |", r.ndcg[o]);
    }
    std::cout << absl::StrFormat(" %.4f | %.4f |\n", Mean(per_seed), StdDev(per_seed));
  }
  std::cout << "| products / judged reviews |";
  for (const SeedResult& r : results) std::cout << " " << r.products << " / " << r.judged << " |";
  std::cout << " | |\n";
  if (s.examples > 0) PrintExamples(results.front(), s, options);
  return 0;
}

}  // namespace
}  // namespace candor::helpful_eval

int main(int argc, char** argv) { return candor::helpful_eval::Run(argc, argv); }
