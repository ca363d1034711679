#include "services/review-gateway/list_page_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace candor::gateway {

const std::shared_ptr<const std::string>& ListPage::Rendered(
    const std::function<std::string(const ListPage&)>& render) const {
  absl::call_once(rendering_->once,
                  [&] { rendering_->bytes = std::make_shared<const std::string>(render(*this)); });
  return rendering_->bytes;
}

ListPageCache::ListPageCache(const core::Clock& clock, absl::Duration max_age, size_t max_pages,
                             absl::Duration rebuild_after)
    : clock_(clock),
      max_age_(max_age),
      max_pages_(max_pages < 1 ? 1 : max_pages),
      rebuild_after_(rebuild_after) {}

void ListPageCache::Get(const std::string& key, const Loader& load, Answer done) {
  Page page;
  Answer serve;             // set on a hit: called outside the lock
  bool start_load = false;  // a first load, or a background one of an ageing page
  Page previous;            // what the load may keep
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    auto [it, inserted] = slots_.try_emplace(key);
    Slot& slot = it->second;
    if (inserted) {
      lru_.push_front(key);
      slot.lru = lru_.begin();
    } else {
      TouchLocked(slot);
    }
    const absl::Duration age = now - slot.loaded;
    if (slot.page != nullptr && age < max_age_) {
      page = slot.page;
      serve = std::move(done);
      ++counts_.hits;
      if (age >= max_age_ * 3 / 4 && !slot.loading) {
        slot.loading = true;
        start_load = true;
        ++counts_.refreshes;
      }
    } else {
      slot.waiters.push_back(std::move(done));
      if (slot.loading) {
        ++counts_.joined;
      } else {
        slot.loading = true;
        start_load = true;
        ++counts_.loads;
      }
    }
    if (start_load && slot.page != nullptr && now < slot.keep_until) {
      previous = slot.page;
    }
    EvictLocked();
  }
  if (serve) serve(std::move(page));
  if (start_load) {
    load(previous, [this, key](absl::StatusOr<Page> result) { Loaded(key, std::move(result)); });
  }
}

void ListPageCache::Loaded(const std::string& key, absl::StatusOr<Page> answer) {
  if (answer.ok() && *answer == nullptr) answer = absl::InternalError("list page load: no page");
  std::vector<Answer> waiters;
  {
    absl::MutexLock lock(&mu_);
    if (!answer.ok()) ++counts_.load_errors;
    auto it = slots_.find(key);
    // Slots with a running load are never evicted, so the slot is there (and its page is the
    // one the load was handed: one load runs per slot).
    if (it != slots_.end()) {
      Slot& slot = it->second;
      slot.loading = false;
      waiters.swap(slot.waiters);
      if (answer.ok()) {
        const absl::Time now = clock_.Now();
        if (*answer == slot.page) {
          ++counts_.kept;
        } else {
          slot.page = *answer;
          slot.keep_until = now + KeepFor(key, now);
        }
        slot.loaded = now;
      } else if (slot.page == nullptr) {
        // Nothing to keep: a failed first load leaves no slot behind.
        lru_.erase(slot.lru);
        slots_.erase(it);
      }
    }
  }
  for (Answer& w : waiters) w(answer);
}

absl::Duration ListPageCache::KeepFor(const std::string& key, absl::Time built) const {
  constexpr uint64_t kSteps = 1024;
  const uint64_t step = absl::HashOf(key, absl::ToUnixNanos(built)) % kSteps;
  return rebuild_after_ / 2 + rebuild_after_ / 2 * (static_cast<double>(step) / kSteps);
}

void ListPageCache::TouchLocked(Slot& slot) {
  if (slot.lru != lru_.begin()) lru_.splice(lru_.begin(), lru_, slot.lru);
}

void ListPageCache::EvictLocked() {
  // From the least recently used end. Stays: the page just asked for (the front) and a slot
  // whose load runs (its callers wait on it).
  auto it = lru_.end();
  while (slots_.size() > max_pages_) {
    --it;
    if (it == lru_.begin()) break;
    auto slot = slots_.find(*it);
    if (slot->second.loading) continue;
    slots_.erase(slot);
    it = lru_.erase(it);
  }
}

ListPageCache::Counts ListPageCache::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

size_t ListPageCache::size() const {
  absl::MutexLock lock(&mu_);
  return slots_.size();
}

}  // namespace candor::gateway
