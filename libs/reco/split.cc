#include "libs/reco/split.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/reco/evaluation.h"

namespace candor::reco {
namespace {

// Every user's events, bucketed by user (a counting sort keeps source order within a user) and
// stably sorted by time inside each bucket. Fills `offsets` (num_users + 1 entries).
std::vector<Event> OrderedEvents(const InteractionLog& log, std::vector<int64_t>& offsets) {
  const int32_t users = log.num_users();
  offsets.assign(static_cast<std::size_t>(users) + 1, 0);
  for (const Interaction& i : log.interactions()) ++offsets[static_cast<std::size_t>(i.user) + 1];
  for (int32_t u = 0; u < users; ++u) offsets[u + 1] += offsets[u];
  std::vector<Event> events(log.interactions().size());
  std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
  for (const Interaction& i : log.interactions()) {
    events[static_cast<std::size_t>(next[i.user]++)] = Event{i.item, i.unix_time};
  }
  for (int32_t u = 0; u < users; ++u) {
    std::stable_sort(events.begin() + offsets[u], events.begin() + offsets[u + 1],
                     [](const Event& a, const Event& b) { return a.unix_time < b.unix_time; });
  }
  return events;
}

}  // namespace

const std::vector<int32_t>& LeaveOneOutSplit::Users(Holdout holdout) const {
  return holdout == Holdout::kTest ? evaluated_users : validation_users;
}

std::span<const Event> LeaveOneOutSplit::History(int32_t user, Holdout holdout) const {
  const std::span<const Event> all = sequences.Of(user);
  const int32_t at = (holdout == Holdout::kTest ? test_at : validation_at)[user];
  return all.first(at < 0 ? 0 : static_cast<std::size_t>(at));
}

const Event& LeaveOneOutSplit::Target(int32_t user, Holdout holdout) const {
  const int32_t at = (holdout == Holdout::kTest ? test_at : validation_at)[user];
  return sequences.Of(user)[static_cast<std::size_t>(at)];
}

std::string LeaveOneOutSplit::Protocol() const {
  if (mode == SplitMode::kLeaveOneOut) return kProtocol;
  if (test_quantile > 0) {
    return absl::StrFormat("time split (q%g / q%g), full ranking, history masked",
                           validation_quantile, test_quantile);
  }
  return absl::StrFormat("time split (%d / %d), full ranking, history masked", validation_cutoff,
                         test_cutoff);
}

absl::StatusOr<LeaveOneOutSplit> SplitLeaveOneOut(const InteractionLog& log) {
  const int32_t users = log.num_users();
  std::vector<int64_t> offsets;
  std::vector<Event> events = OrderedEvents(log, offsets);
  LeaveOneOutSplit split;
  split.validation_at.assign(static_cast<std::size_t>(users), -1);
  split.test_at.assign(static_cast<std::size_t>(users), -1);
  std::vector<int64_t> train_offsets(offsets.size(), 0);
  std::vector<Event> train_events;
  train_events.reserve(events.size());
  for (int32_t u = 0; u < users; ++u) {
    auto begin = events.begin() + offsets[u];
    auto end = events.begin() + offsets[u + 1];
    const int64_t n = offsets[u + 1] - offsets[u];
    if (n >= 3) {
      split.evaluated_users.push_back(u);
      split.validation_at[u] = static_cast<int32_t>(n - 2);
      split.test_at[u] = static_cast<int32_t>(n - 1);
      end -= 2;
    } else {
      ++split.short_users;
    }
    train_events.insert(train_events.end(), begin, end);
    train_offsets[u + 1] = static_cast<int64_t>(train_events.size());
  }
  if (split.evaluated_users.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no user has 3 interactions (", users,
        " users): leave-one-out needs a train, a validation and a test item per user"));
  }
  split.validation_users = split.evaluated_users;
  split.sequences = Sequences(log.num_items(), std::move(offsets), std::move(events));
  split.train = Sequences(log.num_items(), std::move(train_offsets), std::move(train_events));
  return split;
}

absl::StatusOr<LeaveOneOutSplit> SplitByTime(const InteractionLog& log, int64_t validation_cutoff,
                                             int64_t test_cutoff) {
  if (validation_cutoff >= test_cutoff) {
    return absl::InvalidArgumentError(
        absl::StrCat("time split: the validation cutoff (", validation_cutoff,
                     ") must come before the test cutoff (", test_cutoff, ")"));
  }
  const int32_t users = log.num_users();
  std::vector<int64_t> offsets;
  std::vector<Event> events = OrderedEvents(log, offsets);
  LeaveOneOutSplit split;
  split.mode = SplitMode::kTime;
  split.validation_cutoff = validation_cutoff;
  split.test_cutoff = test_cutoff;
  split.validation_at.assign(static_cast<std::size_t>(users), -1);
  split.test_at.assign(static_cast<std::size_t>(users), -1);
  std::vector<int64_t> train_offsets(offsets.size(), 0);
  std::vector<Event> train_events;
  train_events.reserve(events.size());
  const auto before = [](const Event& e, int64_t t) { return e.unix_time < t; };
  for (int32_t u = 0; u < users; ++u) {
    const auto begin = events.begin() + offsets[u];
    const auto end = events.begin() + offsets[u + 1];
    // The sequence is sorted by time: the first event at or after each cutoff.
    const auto val = std::lower_bound(begin, end, validation_cutoff, before);
    const auto test = std::lower_bound(val, end, test_cutoff, before);
    if (val != begin && val != end && val->unix_time < test_cutoff) {
      split.validation_users.push_back(u);
      split.validation_at[u] = static_cast<int32_t>(val - begin);
    }
    if (test != begin && test != end) {
      split.evaluated_users.push_back(u);
      split.test_at[u] = static_cast<int32_t>(test - begin);
    }
    if (split.validation_at[u] < 0 && split.test_at[u] < 0) ++split.short_users;
    train_events.insert(train_events.end(), begin, val);
    train_offsets[u + 1] = static_cast<int64_t>(train_events.size());
  }
  if (split.validation_users.empty() || split.evaluated_users.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("time split at ", validation_cutoff, " / ", test_cutoff, ": ",
                     split.validation_users.size(), " users with a validation target, ",
                     split.evaluated_users.size(),
                     " with a test target; both need a user with an earlier interaction"));
  }
  split.sequences = Sequences(log.num_items(), std::move(offsets), std::move(events));
  split.train = Sequences(log.num_items(), std::move(train_offsets), std::move(train_events));
  return split;
}

absl::StatusOr<int64_t> TimeQuantile(const InteractionLog& log, double q) {
  if (!(q > 0 && q < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("time quantile ", q, " is not in (0, 1)"));
  }
  const std::vector<Interaction>& all = log.interactions();
  if (all.empty()) return absl::InvalidArgumentError("time quantile of an empty log");
  std::vector<int64_t> times;
  times.reserve(all.size());
  for (const Interaction& i : all) times.push_back(i.unix_time);
  const auto at =
      std::min(times.size() - 1,
               static_cast<std::size_t>(std::floor(q * static_cast<double>(times.size()))));
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(at), times.end());
  return times[at];
}

absl::StatusOr<LeaveOneOutSplit> SplitByTimeQuantiles(const InteractionLog& log,
                                                      double validation_quantile,
                                                      double test_quantile) {
  if (!(validation_quantile > 0 && validation_quantile < test_quantile && test_quantile < 1)) {
    return absl::InvalidArgumentError(absl::StrCat("time quantiles ", validation_quantile, ", ",
                                                   test_quantile,
                                                   ": need 0 < validation < test < 1"));
  }
  absl::StatusOr<int64_t> val = TimeQuantile(log, validation_quantile);
  if (!val.ok()) return val.status();
  absl::StatusOr<int64_t> test = TimeQuantile(log, test_quantile);
  if (!test.ok()) return test.status();
  if (*val == *test) {
    return absl::InvalidArgumentError(absl::StrCat("time quantiles ", validation_quantile, " and ",
                                                   test_quantile, " fall on the same time (", *val,
                                                   "): too many interactions share it"));
  }
  absl::StatusOr<LeaveOneOutSplit> split = SplitByTime(log, *val, *test);
  if (!split.ok()) return split.status();
  split->validation_quantile = validation_quantile;
  split->test_quantile = test_quantile;
  return split;
}

absl::StatusOr<std::pair<double, double>> ParseTimeQuantiles(const std::string& text) {
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  std::pair<double, double> q{0, 0};
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &q.first) ||
      !absl::SimpleAtod(parts[1], &q.second) ||
      !(q.first > 0 && q.first < q.second && q.second < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time quantiles '", text,
        "': want two numbers VALIDATION,TEST with 0 < VALIDATION < TEST < 1, e.g. 0.9,0.95"));
  }
  return q;
}

absl::Status ValidateSplitFlags(const std::string& mode, const std::string& time_quantiles) {
  if (mode == "leave-one-out") return absl::OkStatus();
  if (mode != "time") {
    return absl::InvalidArgumentError(
        absl::StrCat("--split-mode must be leave-one-out or time, not '", mode, "'"));
  }
  return ParseTimeQuantiles(time_quantiles).status();
}

absl::StatusOr<LeaveOneOutSplit> SplitFromFlags(const InteractionLog& log, const std::string& mode,
                                                const std::string& time_quantiles) {
  if (absl::Status v = ValidateSplitFlags(mode, time_quantiles); !v.ok()) return v;
  if (mode == "leave-one-out") return SplitLeaveOneOut(log);
  const absl::StatusOr<std::pair<double, double>> q = ParseTimeQuantiles(time_quantiles);
  return SplitByTimeQuantiles(log, q->first, q->second);
}

std::string DescribeSplit(const LeaveOneOutSplit& split) {
  if (split.mode == SplitMode::kLeaveOneOut) {
    return absl::StrFormat(
        "leave-one-out, %d users evaluated, %d with fewer than 3 interactions kept in train "
        "only, %d train events",
        split.evaluated_users.size(), split.short_users, split.train.num_events());
  }
  return absl::StrFormat(
      "%s: train = the %d events before %d, %d validation users (first event in [%d, %d)), %d "
      "test users (first event at or after %d), %d users with neither",
      split.Protocol(), split.train.num_events(), split.validation_cutoff,
      split.validation_users.size(), split.validation_cutoff, split.test_cutoff,
      split.evaluated_users.size(), split.test_cutoff, split.short_users);
}

}  // namespace candor::reco
