#include "examples/skeleton-service/tally.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace candor::skeleton {

void EventTally::Count(const review::ReviewEvent& event) {
  // One branch per kind: a kind added to review::ReviewEvent fails to compile here until the
  // tally knows it.
  struct CounterOf {
    EventTally* tally;
    std::atomic<int64_t>& operator()(const review::ReviewAccepted&) const {
      return tally->accepted_;
    }
    std::atomic<int64_t>& operator()(const review::ReviewRemoved&) const { return tally->removed_; }
    std::atomic<int64_t>& operator()(const review::ReviewRestored&) const {
      return tally->restored_;
    }
  };
  std::visit(CounterOf{this}, event.change).fetch_add(1);
}

TallyCounts EventTally::Counts() const {
  return {.accepted = accepted_.load(), .removed = removed_.load(), .restored = restored_.load()};
}

std::string EventTally::Describe() const {
  const TallyCounts c = Counts();
  return absl::StrCat("accepted=", c.accepted, " removed=", c.removed, " restored=", c.restored);
}

}  // namespace candor::skeleton
