#pragma once

// Review texts for the micro-benchmarks, as validated, fingerprinted submissions: the Amazon
// Musical Instruments reviews from the shared data folder when it is there, else candor-drive's
// generated traffic. Bench code only.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/review/submission.h"

namespace candor::bench {

// The Amazon reviews file inside a data folder (see ../shared/data/README.md beside the repo).
inline constexpr char kAmazonReviewsFile[] =
    "amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz";

struct ReviewCorpus {
  std::string source;  // for the report: where the texts came from and how many
  std::vector<review::Submission> submissions;
};

// Reads kAmazonReviewsFile below `data_dir` and keeps the rows that pass the gateway's
// validation (the scorer only sees those), with fingerprint, review id and submitted_at set.
// When the file is missing: NotFound if `required` (the caller named the folder), otherwise
// `generated_count` reviews from candor-drive's generator (tools/candor-drive/generator.h).
absl::StatusOr<ReviewCorpus> LoadReviewCorpus(const std::string& data_dir, bool required,
                                              int generated_count = 5000);

}  // namespace candor::bench
