#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"

namespace candor::reco {

// How a loader treats a bad line.
struct LoadOptions {
  // false: the first bad line fails the load with InvalidArgument "file:line: reason".
  // true: bad lines are skipped, counted, and the first `max_reasons` reasons kept.
  bool lenient = false;
  int max_reasons = 5;
};

// What a load read, for the progress output and the evaluation report.
struct LoadReport {
  std::string source;                // the file(s) read
  int64_t lines = 0;                 // non-blank lines (a Beauty line is one user)
  int64_t interactions = 0;          // interactions loaded
  int64_t skipped = 0;               // bad lines skipped (lenient only)
  std::vector<std::string> reasons;  // "file:line: reason" of the first skipped lines
};

// The Beauty 5-core sequences (../shared/data/amazon-beauty-5core-sequences/README.md): in
// `dir`, Beauty_item_org_rank.txt (`user item item ...`) and Beauty_time_org_rank.txt
// (`user t t ...`, unix seconds), line k of both being the same user. Interactions are added in
// file order (each user's items in their sequence order); there are no ratings.
// A line is bad when: it has no item; the two files disagree on its user or its length; a time
// is not a non-negative integer; its user already had a line; one file has a line the other
// lacks. Errors: NotFound / DataLoss from the files, InvalidArgument on a bad line (strict) or
// when nothing loads.
absl::StatusOr<InteractionLog> LoadBeautySequences(const std::string& dir,
                                                   const LoadOptions& options, LoadReport* report);

// An Amazon 2014 JSON-lines review file, plain or gzip (reviewerID, asin, overall,
// unixReviewTime; libs/datafile/amazon_review.h). Blank lines are ignored. A line is bad when it
// does not parse, `overall` is outside 1..5 or `unixReviewTime` is negative. Same errors.
absl::StatusOr<InteractionLog> LoadAmazonJson(const std::string& path, const LoadOptions& options,
                                              LoadReport* report);

// A tab-separated file, plain or gzip, of `user item rating unix_time`, one interaction per line.
// An optional first line `user<TAB>item<TAB>rating<TAB>unix_time` is a header; blank lines are
// ignored. `rating` is a finite number or empty (no rating). A line is bad when it does not have
// exactly four fields, user or item is empty, the rating is not a finite number, or the time is
// not a non-negative integer. Same errors.
absl::StatusOr<InteractionLog> LoadTsv(const std::string& path, const LoadOptions& options,
                                       LoadReport* report);

// Where a tool's interactions come from: exactly one path set (the tools' --beauty DIR,
// --amazon-json FILE, --tsv FILE).
struct DataSource {
  std::string beauty_dir;
  std::string amazon_json;
  std::string tsv;
  // Candor's own active reviews in Postgres (libs/reco/candor_reviews.h, target
  // candor::reco_candor: LoadSource reads it; LoadInteractions reads files only).
  std::string pg_dsn{};
};

// InvalidArgument naming the four flags unless exactly one source is set.
absl::Status ValidateDataSource(const DataSource& source);

// Loads the one file source `source` names with its loader above (ValidateDataSource's error when
// it names none or several; InvalidArgument for pg_dsn, which candor::reco_candor's LoadSource
// reads); the loaders' errors otherwise.
absl::StatusOr<InteractionLog> LoadInteractions(const DataSource& source,
                                                const LoadOptions& options, LoadReport* report);

}  // namespace candor::reco
