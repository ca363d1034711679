#include "services/fraud-scorer/rescore/rescore_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace candor::fraud_scorer::rescore {
namespace {

size_t Index(EventKind kind) { return static_cast<size_t>(kind); }

// "near_dup_accounts=12 (+1.53)": a reason as one short token; the contribution when it has one.
std::string ReasonToken(const review::Reason& r) {
  std::string out = absl::StrFormat("%s=%g", r.code.empty() ? r.text : r.code, r.value);
  if (r.weight != 0) absl::StrAppend(&out, absl::StrFormat(" (%+.2f)", r.weight));
  return out;
}

}  // namespace

void Report::Decided(const std::string& from, const std::string& to, const std::string& review_id,
                     double score, const std::vector<review::Reason>& reasons) {
  Transition& t = decisions_[{from, to}];
  ++t.count;
  if (static_cast<int>(t.examples.size()) < examples_) {
    t.examples.push_back(absl::StrFormat(
        "%s (score %.3f): %s", review_id, score,
        reasons.empty()
            ? std::string("no reasons")
            : absl::StrJoin(reasons, ", ", [](std::string* out, const review::Reason& r) {
                out->append(ReasonToken(r));
              })));
  }
}

void Report::Unscored(const std::string& review_id, const std::string& why) {
  ++unscored_;
  if (static_cast<int>(unscored_examples_.size()) < examples_) {
    unscored_examples_.push_back(absl::StrCat(review_id, ": ", why));
  }
}

void Report::Event(EventKind kind, bool repair) {
  if (kind == EventKind::kNone) return;
  ++events_[Index(kind)][repair ? 1 : 0];
}

int64_t Report::events() const {
  int64_t n = 0;
  for (const auto& kind : events_) n += kind[0] + kind[1];
  return n;
}

int64_t Report::decided() const {
  int64_t n = 0;
  for (const auto& [key, t] : decisions_) n += t.count;
  return n;
}

int64_t Report::moved() const {
  int64_t n = 0;
  for (const auto& [key, count] : moves_) n += count;
  return n;
}

std::string Report::Render(const std::string& header, bool apply) const {
  std::string out = header;
  absl::StrAppend(&out, "selected ", selected_, " reviews, read ", read_, "\n\n");

  absl::StrAppend(&out, apply ? "decisions enacted" : "decisions this model would make",
                  " (latest decision -> new), with examples (review id, score: top reasons)\n");
  if (decisions_.empty()) absl::StrAppend(&out, "  none\n");
  for (const auto& [key, t] : decisions_) {
    absl::StrAppend(&out, absl::StrFormat("  %-8s -> %-6s %8d\n", key.first, key.second, t.count));
    for (const std::string& e : t.examples) absl::StrAppend(&out, "      ", e, "\n");
  }

  absl::StrAppend(&out, "\n", apply ? "status changes made" : "status changes an apply would make",
                  "\n");
  if (moves_.empty()) absl::StrAppend(&out, "  none\n");
  for (const auto& [key, count] : moves_) {
    const EventKind kind = EventFor(key.first, key.second);
    absl::StrAppend(
        &out, absl::StrFormat("  %-8s -> %-8s %8d  %s\n", review::StatusName(key.first),
                              review::StatusName(key.second), count,
                              kind == EventKind::kAccepted  ? "Accepted (counts)"
                              : kind == EventKind::kRemoved ? "Removed (uncounts)"
                                                            : "no event (not counted either way)"));
  }
  const auto& accepted = events_[Index(EventKind::kAccepted)];
  const auto& removed = events_[Index(EventKind::kRemoved)];
  absl::StrAppend(&out,
                  apply ? "events published: " : "events an apply would publish: ", "Accepted ",
                  accepted[0] + accepted[1], ", Removed ", removed[0] + removed[1]);
  if (accepted[1] + removed[1] > 0) {
    absl::StrAppend(&out, " (of them sent again for reviews already decided: Accepted ",
                    accepted[1], ", Removed ", removed[1], ")");
  }
  absl::StrAppend(&out, "\n");

  absl::StrAppend(&out, "\nnot re-scored\n");
  if (skipped_.empty()) absl::StrAppend(&out, "  none\n");
  for (const auto& [why, count] : skipped_) {
    absl::StrAppend(&out, absl::StrFormat("  %8d  %s\n", count, SkipName(why)));
  }
  if (changed_meanwhile_ > 0) {
    absl::StrAppend(&out, absl::StrFormat("  %8d  changed between the read and the apply\n",
                                          changed_meanwhile_));
  }
  absl::StrAppend(&out, "could not be scored (left as they are; run again): ", unscored_, "\n");
  for (const std::string& e : unscored_examples_) absl::StrAppend(&out, "      ", e, "\n");
  return out;
}

std::string ProgressLine(int64_t done, int64_t total, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const int64_t percent = total > 0 ? std::min<int64_t>(100, done * 100 / total) : 100;
  std::string out = absl::StrFormat("%d/%d reviews (%d%%), %.0f/s", done, total, percent, rate);
  if (done < total && rate > 0) {
    const auto eta = static_cast<int64_t>(std::ceil(static_cast<double>(total - done) / rate));
    absl::StrAppend(&out,
                    absl::StrFormat(", ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
  }
  return out;
}

}  // namespace candor::fraud_scorer::rescore
