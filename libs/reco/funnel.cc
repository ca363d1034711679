#include "libs/reco/funnel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace candor::reco {

Funnel::Funnel(Recommender& retrieval, const FeatureSource& source, const LtrRanker& ranker,
               int32_t candidates)
    : retrieval_(retrieval), source_(source), ranker_(ranker), candidates_(candidates) {}

std::string Funnel::Name() const {
  return absl::StrCat("funnel(", retrieval_.Name(), " top ", candidates_, " -> ltr)");
}

absl::Status Funnel::Fit(const Sequences& train) { return retrieval_.Fit(train); }

void Funnel::Score(const Query& query, std::span<float> scores) {
  retrieval_.Score(query, scores);
  const std::vector<Candidate> found = TopCandidates(scores, query.history, candidates_);
  ranked_.clear();
  if (found.empty()) return;
  const std::vector<RankFeatureVector> rows =
      ComputeFeatureRows(source_, query.history, found, query.now);
  absl::StatusOr<std::vector<float>> ranker = ranker_.Score(rows);
  if (!ranker.ok() && status_.ok()) status_ = ranker.status();
  for (std::size_t k = 0; k < found.size(); ++k) {
    // Without the ranker's scores the retrieval order stands.
    const float s = ranker.ok() ? (*ranker)[k] : -static_cast<float>(k);
    ranked_.push_back(Ranked{.item = found[k].item, .score = s});
  }
  // Stable: equal ranker scores keep the retrieval order here (the scores below stay equal).
  std::stable_sort(ranked_.begin(), ranked_.end(),
                   [](const Ranked& a, const Ranked& b) { return a.score > b.score; });

  // The candidates go above everything else as consecutive integers by their distinct ranker
  // scores (exact in float below 2^24, so ties stay ties), starting above the best retrieval
  // score of the rest.
  float best = 0;
  for (const float s : scores) {
    if (std::isfinite(s)) best = std::max(best, s);
  }
  std::size_t distinct = 0;
  for (std::size_t k = 0; k < ranked_.size(); ++k) {
    distinct += k == 0 || ranked_[k].score != ranked_[k - 1].score ? 1 : 0;
  }
  const double base = std::floor(best) + 1;
  if (base + static_cast<double>(distinct) >= 16777216.0) {
    std::fprintf(stderr, "candor::reco: Funnel: retrieval scores up to %g leave no exact room\n",
                 static_cast<double>(best));
    std::abort();
  }
  std::size_t level = distinct;
  for (std::size_t k = 0; k < ranked_.size(); ++k) {
    if (k == 0 || ranked_[k].score != ranked_[k - 1].score) --level;
    scores[static_cast<std::size_t>(ranked_[k].item)] =
        static_cast<float>(base + static_cast<double>(level));
  }
}

}  // namespace candor::reco
