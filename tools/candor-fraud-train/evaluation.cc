#include "tools/candor-fraud-train/evaluation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

namespace candor::fraud_train {
namespace {

double Share(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

std::vector<std::size_t> ByScoreDescending(const std::vector<double>& scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

Flagged FlaggedAt(const Evaluation& e, Route from) {
  Flagged f;
  for (int r = static_cast<int>(from); r < 3; ++r) {
    f.true_positives += e.confusion[1][r];
    f.false_positives += e.confusion[0][r];
  }
  f.false_negatives = e.campaign - f.true_positives;
  f.precision = Share(f.true_positives, f.true_positives + f.false_positives);
  f.recall = Share(f.true_positives, e.campaign);
  return f;
}

nlohmann::json ToJson(const Flagged& f) {
  return {{"true_positives", f.true_positives},
          {"false_positives", f.false_positives},
          {"false_negatives", f.false_negatives},
          {"precision", f.precision},
          {"recall", f.recall}};
}

}  // namespace

Route RouteOf(double score, double queue_threshold, double reject_threshold) {
  if (score < queue_threshold) return Route::kPass;
  return score <= reject_threshold ? Route::kQueue : Route::kReject;
}

double RocAuc(const std::vector<double>& scores, const std::vector<int>& labels) {
  // Mann-Whitney: the average rank of the positives, ties sharing their average rank.
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  int64_t positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]] != 0) {
        rank_sum += rank;
        ++positives;
      }
    }
    i = j;
  }
  const auto negatives = static_cast<int64_t>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return NAN;
  const double p = static_cast<double>(positives);
  return (rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(negatives));
}

double AveragePrecision(const std::vector<double>& scores, const std::vector<int>& labels) {
  const std::vector<std::size_t> order = ByScoreDescending(scores);
  int64_t positives = 0;
  for (int l : labels) positives += l != 0 ? 1 : 0;
  if (positives == 0) return NAN;
  double ap = 0;
  int64_t seen = 0;
  int64_t hits = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    int64_t new_hits = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      new_hits += labels[order[j]] != 0 ? 1 : 0;
      ++j;
    }
    seen += static_cast<int64_t>(j - i);
    hits += new_hits;
    ap += Share(new_hits, positives) * Share(hits, seen);
    i = j;
  }
  return ap;
}

Evaluation Evaluate(const std::vector<Scored>& scored, double queue_threshold,
                    double reject_threshold) {
  Evaluation e;
  e.queue_threshold = queue_threshold;
  e.reject_threshold = reject_threshold;
  std::vector<double> scores;
  std::vector<int> labels;
  std::vector<double> genuine_scores;
  std::array<std::vector<double>, kCampaignTypes> type_scores;
  std::array<std::map<int, std::pair<int64_t, int64_t>>, kCampaignTypes> per_campaign;
  for (const Scored& s : scored) {
    const bool campaign = s.kind != Kind::kGenuine;
    const Route route = RouteOf(s.score, queue_threshold, reject_threshold);
    scores.push_back(s.score);
    labels.push_back(campaign ? 1 : 0);
    ++e.confusion[campaign ? 1 : 0][static_cast<int>(route)];
    if (!campaign) {
      ++e.genuine;
      genuine_scores.push_back(s.score);
      continue;
    }
    ++e.campaign;
    const int t = CampaignIndex(s.kind);
    TypeFigures& f = e.types[t];
    ++f.reviews;
    f.recall_queue += route != Route::kPass ? 1 : 0;
    f.recall_reject += route == Route::kReject ? 1 : 0;
    type_scores[t].push_back(s.score);
    auto& [caught, total] = per_campaign[t][s.campaign];
    caught += route != Route::kPass ? 1 : 0;
    ++total;
  }
  e.roc_auc = RocAuc(scores, labels);
  e.pr_auc = AveragePrecision(scores, labels);
  e.at_queue = FlaggedAt(e, Route::kQueue);
  e.at_reject = FlaggedAt(e, Route::kReject);
  e.genuine_queued = Share(e.confusion[0][1], e.genuine);
  e.genuine_rejected = Share(e.confusion[0][2], e.genuine);
  for (int t = 0; t < kCampaignTypes; ++t) {
    TypeFigures& f = e.types[t];
    if (f.reviews == 0) continue;
    f.recall_queue /= static_cast<double>(f.reviews);
    f.recall_reject /= static_cast<double>(f.reviews);
    f.campaigns = static_cast<int64_t>(per_campaign[t].size());
    for (const auto& [id, counts] : per_campaign[t]) {
      f.campaigns_caught += 2 * counts.first >= counts.second ? 1 : 0;
    }
    std::vector<double> s = genuine_scores;
    std::vector<int> l(s.size(), 0);
    s.insert(s.end(), type_scores[t].begin(), type_scores[t].end());
    l.resize(s.size(), 1);
    f.roc_auc = RocAuc(s, l);
  }
  return e;
}

nlohmann::json ToJson(const Evaluation& e) {
  nlohmann::json types = nlohmann::json::object();
  for (int t = 0; t < kCampaignTypes; ++t) {
    const TypeFigures& f = e.types[t];
    if (f.reviews == 0) continue;
    types[std::string(KindName(CampaignKind(t)))] = {
        {"reviews", f.reviews},
        {"campaigns", f.campaigns},
        {"recall_queue_or_reject", f.recall_queue},
        {"recall_reject", f.recall_reject},
        {"roc_auc_against_genuine", f.roc_auc},
        {"campaigns_at_least_half_caught", f.campaigns_caught}};
  }
  auto row = [](const std::array<int64_t, 3>& r) {
    return nlohmann::json{{"pass", r[0]}, {"queue", r[1]}, {"reject", r[2]}};
  };
  return {{"thresholds", {{"queue", e.queue_threshold}, {"reject", e.reject_threshold}}},
          {"genuine_reviews", e.genuine},
          {"campaign_reviews", e.campaign},
          {"roc_auc", e.roc_auc},
          {"pr_auc", e.pr_auc},
          {"confusion", {{"genuine", row(e.confusion[0])}, {"campaign", row(e.confusion[1])}}},
          {"at_queue_threshold", ToJson(e.at_queue)},
          {"at_reject_threshold", ToJson(e.at_reject)},
          {"genuine_queued_share", e.genuine_queued},
          {"genuine_rejected_share", e.genuine_rejected},
          {"by_campaign_type", types}};
}

}  // namespace candor::fraud_train
