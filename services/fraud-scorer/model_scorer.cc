#include "services/fraud-scorer/model_scorer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/fraud/review_facts.h"
#include "services/fraud-scorer/model_reasons.h"
#include "spdlog/spdlog.h"

namespace candor::fraud_scorer {
namespace {

Decision Unscored(std::string scorer, std::string code, const absl::Status& why) {
  Decision d;
  d.kind = Decision::Kind::kUnscored;
  d.scorer = std::move(scorer);
  d.reasons.push_back(review::Reason{
      .code = std::move(code), .value = 0, .weight = 0, .text = std::string(why.message())});
  return d;
}

std::string FirstError(const std::vector<absl::StatusOr<fraud::FeatureRow>>& rows) {
  for (const auto& r : rows) {
    if (!r.ok()) return r.status().ToString();
  }
  return "";
}

}  // namespace

ModelScorer::ModelScorer(fraud::FeatureStore& store, fraud::FraudModel& model,
                         const fraud::CidrList& datacenters, Thresholds thresholds, int top_reasons)
    : store_(store),
      model_(model),
      datacenters_(datacenters),
      thresholds_(thresholds),
      top_reasons_(top_reasons) {}

absl::StatusOr<Decision> ModelScorer::Score(const review::Submission& submission, absl::Time now) {
  return std::move(ScoreBatch({submission}, now).front());
}

std::vector<absl::StatusOr<Decision>> ModelScorer::ScoreBatch(
    const std::vector<review::Submission>& submissions, absl::Time now) {
  const std::string& version = model_.metadata().version;
  std::vector<fraud::ReviewFacts> facts;
  facts.reserve(submissions.size());
  for (const review::Submission& s : submissions) {
    fraud::ReviewFacts f = fraud::FactsOf(s);
    // A live submission's time is the gateway's clock; one from the future (a skewed gateway)
    // is judged at the scorer's now. An imported review keeps its original time.
    if (f.at > now) f.at = now;
    facts.push_back(std::move(f));
  }

  // One round trip for the whole batch.
  std::vector<absl::StatusOr<fraud::FeatureRow>> rows = store_.RecordBatch(facts);
  if (rows.size() != submissions.size()) {
    // A broken adapter: fail open for the whole batch rather than guess which row is whose.
    rows.assign(submissions.size(),
                absl::InternalError(absl::StrCat("feature store returned ", rows.size(),
                                                 " rows for ", submissions.size(), " reviews")));
  }

  std::vector<absl::StatusOr<Decision>> out(submissions.size(), absl::UnknownError("unset"));
  std::vector<fraud::FeatureVector> inputs;
  std::vector<size_t> scored;  // index in `submissions` of each row of `inputs`
  inputs.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].ok()) {
      out[i] = Unscored(version, "features_unavailable", rows[i].status());
      continue;
    }
    fraud::At(rows[i]->values, fraud::Feature::kDatacenterIp) =
        datacenters_.Contains(facts[i].client_ip) ? 1.0F : 0.0F;
    inputs.push_back(rows[i]->values);
    scored.push_back(i);
  }
  if (inputs.size() < rows.size()) {
    // Once per batch, not per review: a Redis outage would otherwise log every review.
    spdlog::warn("features unavailable for {} of {} reviews, passing them unscored: {}",
                 rows.size() - inputs.size(), rows.size(), FirstError(rows));
  }
  if (inputs.empty()) return out;

  absl::StatusOr<std::vector<fraud::Prediction>> predictions =
      model_.PredictBatch(inputs, top_reasons_);
  if (predictions.ok() && predictions->size() != inputs.size()) {
    predictions = absl::InternalError(absl::StrCat("model returned ", predictions->size(),
                                                   " scores for ", inputs.size(), " reviews"));
  }
  std::vector<fraud::ReviewFacts> rejected;
  for (size_t k = 0; k < scored.size(); ++k) {
    const size_t i = scored[k];
    if (!predictions.ok()) {
      if (k == 0) {
        spdlog::warn("model failed on a batch of {}, passing it unscored: {}", inputs.size(),
                     predictions.status().ToString());
      }
      out[i] = Unscored(version, "model_unavailable", predictions.status());
      continue;
    }
    const fraud::Prediction& p = (*predictions)[k];
    Decision d;
    d.scorer = version;
    // Stored as real; four decimals are what a moderator reads and what routing compares.
    d.score = static_cast<double>(p.score);
    d.kind = thresholds_.Route(d.score);
    for (const fraud::Contribution& c : p.reasons) d.reasons.push_back(ReasonOf(c));
    for (fraud::Feature f : rows[i]->clamped)
      d.reasons.push_back(ClampedReason(f, rows[i]->values));
    if (d.kind == Decision::Kind::kReject) rejected.push_back(facts[i]);
    out[i] = std::move(d);
  }
  if (!rejected.empty()) store_.MarkRejected(rejected);
  return out;
}

}  // namespace candor::fraud_scorer
