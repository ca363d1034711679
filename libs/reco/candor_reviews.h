#pragma once

#include <ostream>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/loaders.h"
#include "libs/reviewdb/review_db.h"

namespace candor::reco {

// Candor's own reviews as interactions (issue 14 item 2): every active review in Postgres
// (reviewdb::ReviewDb::ListActiveInteractions, pages of `page`), one interaction per review: its
// user, product, rating and submission time (an imported review keeps its original time).
// Progress on `progress` (may be null) after each 100,000. Unavailable when Postgres fails;
// InvalidArgument when there is no active review.
absl::StatusOr<InteractionLog> LoadCandorReviews(reviewdb::ReviewDb& db, LoadReport* report,
                                                 std::ostream* progress, int page = 5000);

// The loader of any source the tools accept: Candor's Postgres for `pg_dsn` (connects, reads,
// disconnects), else LoadInteractions. ValidateDataSource's error when it names none or several.
absl::StatusOr<InteractionLog> LoadSource(const DataSource& source, const LoadOptions& options,
                                          LoadReport* report, std::ostream* progress);

}  // namespace candor::reco
