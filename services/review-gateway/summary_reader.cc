#include "services/review-gateway/summary_reader.h"

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/review/validation.h"

namespace candor::gateway {
namespace {

absl::Status NoReviews(const std::string& asin) {
  return absl::NotFoundError(absl::StrCat("no reviews for ", asin));
}

}  // namespace

void SummaryReader::Read(const std::string& asin, ReadCallback done) {
  if (!review::IsValidAsin(asin)) {
    done(absl::InvalidArgumentError(
        "asin: must be 10 characters of A-Z and 0-9 (an Amazon standard id)"));
    return;
  }
  // This callback may run on the cache's I/O thread, which other requests share: a hit answers
  // from here; the store, which blocks, is only read on the fallback executor.
  cache_.Get(asin, [this, asin, done = std::move(done)](
                       absl::StatusOr<std::optional<review::RatingAggregate>> cached) {
    if (cached.ok() && cached->has_value()) {
      if ((*cached)->count == 0) {
        done(NoReviews(asin));
      } else {
        done(std::move(**cached));
      }
      return;
    }
    if (!cached.ok()) spdlog::warn("rating cache read failed, using postgres: {}", cached.status());
    bool cache_answered = cached.ok();
    if (!fallback_.TrySubmit(
            [this, asin, cache_answered, done] { ReadStore(asin, cache_answered, done); })) {
      done(absl::UnavailableError(
          "ratings unavailable: the summary fallback queue is full (too many cache misses in "
          "flight); retry later"));
    }
  });
}

void SummaryReader::ReadStore(const std::string& asin, bool cache_answered,
                              const ReadCallback& done) {
  absl::StatusOr<std::optional<review::RatingAggregate>> stored = store_.Get(asin);
  if (!stored.ok()) {
    done(absl::UnavailableError(absl::StrCat("ratings unavailable: ", stored.status().message())));
    return;
  }
  if (!stored->has_value()) {
    done(NoReviews(asin));
    return;
  }
  review::RatingAggregate aggregate = std::move(**stored);
  if (!cache_answered) {
    // The cache is down: do not wait on it a second time; Postgres already has the answer.
    if (aggregate.count == 0) {
      done(NoReviews(asin));
    } else {
      done(std::move(aggregate));
    }
    return;
  }
  // Repair: versioned, so it can never overwrite a newer aggregate the aggregator wrote. The
  // reply comes back on the cache's I/O thread, so this fallback thread is free at once.
  cache_.Put(aggregate, [asin, aggregate, done](absl::StatusOr<bool> put) {
    if (!put.ok()) spdlog::warn("rating cache repair for {} failed: {}", asin, put.status());
    if (aggregate.count == 0) {
      done(NoReviews(asin));
    } else {
      done(aggregate);
    }
  });
}

}  // namespace candor::gateway
