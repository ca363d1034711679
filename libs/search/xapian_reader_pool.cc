#include "libs/search/xapian_reader_pool.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace candor::search {
namespace {

absl::Status ReadOnly() {
  return absl::FailedPreconditionError("search index opened read-only (the server only searches)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<XapianReaderPool>> XapianReaderPool::Open(const std::string& dir,
                                                                         int handles) {
  if (handles < 1) {
    std::fprintf(stderr, "XapianReaderPool: needs >= 1 handle (got %d)\n", handles);
    std::abort();
  }
  std::unique_ptr<XapianReaderPool> pool(new XapianReaderPool(dir, handles));
  absl::StatusOr<std::unique_ptr<XapianSearchIndex>> first =
      XapianSearchIndex::Open(dir, XapianSearchIndex::Mode::kRead);
  if (first.ok()) {
    pool->open_ = 1;
    pool->free_.push_back(*std::move(first));
  } else if (!absl::IsNotFound(first.status())) {
    return first.status();
  }
  return pool;
}

absl::StatusOr<std::unique_ptr<XapianSearchIndex>> XapianReaderPool::Acquire() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [this] { return !free_.empty() || open_ < max_; });
  if (!free_.empty()) {
    std::unique_ptr<XapianSearchIndex> handle = std::move(free_.back());
    free_.pop_back();
    return handle;
  }
  ++open_;  // reserve the slot; open outside the lock (it reads the disk)
  lock.unlock();
  absl::StatusOr<std::unique_ptr<XapianSearchIndex>> opened =
      XapianSearchIndex::Open(dir_, XapianSearchIndex::Mode::kRead);
  if (!opened.ok()) {
    lock.lock();
    --open_;
    returned_.notify_one();
    if (absl::IsNotFound(opened.status())) {
      // index-writer has not created it yet: a transient state, so the client may retry.
      return absl::UnavailableError(opened.status().message());
    }
    return opened.status();
  }
  return opened;
}

void XapianReaderPool::Release(std::unique_ptr<XapianSearchIndex> handle) {
  std::lock_guard lock(mu_);
  free_.push_back(std::move(handle));
  returned_.notify_one();
}

template <typename Fn>
auto XapianReaderPool::WithHandle(Fn&& fn) -> decltype(fn(std::declval<XapianSearchIndex&>())) {
  absl::StatusOr<std::unique_ptr<XapianSearchIndex>> handle = Acquire();
  if (!handle.ok()) return handle.status();
  auto result = fn(**handle);
  Release(*std::move(handle));
  return result;
}

absl::Status XapianReaderPool::Upsert(const std::vector<ReviewDocument>& /*documents*/) {
  return ReadOnly();
}
absl::Status XapianReaderPool::Remove(const std::vector<std::string>& /*review_ids*/) {
  return ReadOnly();
}
absl::StatusOr<int64_t> XapianReaderPool::UpdateScores(
    const std::vector<ScoreUpdate>& /*updates*/) {
  return ReadOnly();
}
absl::Status XapianReaderPool::Commit() { return ReadOnly(); }

absl::StatusOr<SearchResult> XapianReaderPool::Search(const SearchRequest& request) {
  return WithHandle([&](XapianSearchIndex& h) { return h.Search(request); });
}

absl::Status XapianReaderPool::ForEachReviewId(const std::function<void(std::string_view)>& fn) {
  return WithHandle([&](XapianSearchIndex& h) { return h.ForEachReviewId(fn); });
}

absl::StatusOr<int64_t> XapianReaderPool::DocumentCount() {
  return WithHandle([&](XapianSearchIndex& h) { return h.DocumentCount(); });
}

}  // namespace candor::search
