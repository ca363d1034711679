#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "libs/review/reason.h"
#include "libs/review/review_status.h"
#include "services/fraud-scorer/rescore/rescore_plan.h"

namespace candor::fraud_scorer::rescore {

// What a run found and did, and its summary as printed (README.md, "Output"). In shadow mode it
// counts what an apply would do; in apply mode what was enacted. Not thread-safe.
class Report {
 public:
  // `examples`: review ids kept per decision change (from -> to), with their reasons.
  explicit Report(int examples) : examples_(examples) {}

  void Selected(int64_t total) { selected_ = total; }
  void Read(int64_t candidates) { read_ += candidates; }
  void Skipped(Skip why) { ++skipped_[why]; }
  // A decision for a review whose latest decision was `from` (a fraud_audit.decision name).
  void Decided(const std::string& from, const std::string& to, const std::string& review_id,
               double score, const std::vector<review::Reason>& reasons);
  // A review whose status moves (from != to).
  void Moved(review::ReviewStatus from, review::ReviewStatus to) { ++moves_[{from, to}]; }
  // A review the model could not score (the feature store or the model failed for it): left as
  // it is.
  void Unscored(const std::string& review_id, const std::string& why);
  // Decisions not enacted because their review changed between the read and the apply.
  void ChangedMeanwhile(int64_t n) { changed_meanwhile_ += n; }
  // An event (to be) published: for a move, or a repair (MissingEvent) when `repair`.
  void Event(EventKind kind, bool repair);

  int64_t read() const { return read_; }
  int64_t unscored() const { return unscored_; }
  int64_t events() const;
  // Decisions reached (shadow) or enacted (apply), status moves among them.
  int64_t decided() const;
  int64_t moved() const;

  // The summary: the header lines, the decision changes with examples, the status moves and their
  // events, what was skipped and why, and what could not be scored.
  std::string Render(const std::string& header, bool apply) const;

 private:
  struct Transition {
    int64_t count = 0;
    std::vector<std::string> examples;  // "<review id> (score s): code=value, ..."
  };

  int examples_;
  int64_t selected_ = 0;
  int64_t read_ = 0;
  std::map<Skip, int64_t> skipped_;
  std::map<std::pair<std::string, std::string>, Transition> decisions_;
  std::map<std::pair<review::ReviewStatus, review::ReviewStatus>, int64_t> moves_;
  int64_t unscored_ = 0;
  std::vector<std::string> unscored_examples_;
  int64_t changed_meanwhile_ = 0;
  // [kind][repair]: kAccepted and kRemoved.
  std::array<std::array<int64_t, 2>, 3> events_{};
};

// One progress line for a long run: "2,500/10,000 reviews (25%), 830/s, ETA 0:00:09". `total`
// was counted at the start; a `done` past it (reviews added meanwhile) shows 100% and no ETA.
std::string ProgressLine(int64_t done, int64_t total, absl::Duration elapsed);

}  // namespace candor::fraud_scorer::rescore
