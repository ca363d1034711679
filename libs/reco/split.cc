#include "libs/reco/split.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace candor::reco {

std::span<const Event> LeaveOneOutSplit::History(int32_t user, Holdout holdout) const {
  const std::span<const Event> all = sequences.Of(user);
  const std::size_t held = holdout == Holdout::kTest ? 1 : 2;
  return all.first(all.size() - std::min(held, all.size()));
}

const Event& LeaveOneOutSplit::Target(int32_t user, Holdout holdout) const {
  const std::span<const Event> all = sequences.Of(user);
  return all[all.size() - (holdout == Holdout::kTest ? 1 : 2)];
}

absl::StatusOr<LeaveOneOutSplit> SplitLeaveOneOut(const InteractionLog& log) {
  const int32_t users = log.num_users();
  // Bucket by user (counting sort keeps source order within a user), then a stable sort by
  // time inside each user's bucket.
  std::vector<int64_t> offsets(static_cast<std::size_t>(users) + 1, 0);
  for (const Interaction& i : log.interactions()) ++offsets[static_cast<std::size_t>(i.user) + 1];
  for (int32_t u = 0; u < users; ++u) offsets[u + 1] += offsets[u];
  std::vector<Event> events(log.interactions().size());
  std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
  for (const Interaction& i : log.interactions()) {
    events[static_cast<std::size_t>(next[i.user]++)] = Event{i.item, i.unix_time};
  }
  LeaveOneOutSplit split;
  std::vector<int64_t> train_offsets(offsets.size(), 0);
  std::vector<Event> train_events;
  train_events.reserve(events.size());
  for (int32_t u = 0; u < users; ++u) {
    auto begin = events.begin() + offsets[u];
    auto end = events.begin() + offsets[u + 1];
    std::stable_sort(begin, end,
                     [](const Event& a, const Event& b) { return a.unix_time < b.unix_time; });
    const int64_t n = offsets[u + 1] - offsets[u];
    if (n >= 3) {
      split.evaluated_users.push_back(u);
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
  split.sequences = Sequences(log.num_items(), std::move(offsets), std::move(events));
  split.train = Sequences(log.num_items(), std::move(train_offsets), std::move(train_events));
  return split;
}

}  // namespace candor::reco
