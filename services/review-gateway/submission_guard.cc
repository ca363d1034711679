#include "services/review-gateway/submission_guard.h"

#include "absl/strings/str_cat.h"
#include "libs/review/fingerprint.h"

namespace candor::gateway {

std::string ContentDigest(const review::Submission& s) {
  // Length-prefixed fields, so no two different submissions share an input.
  std::string input;
  for (const std::string* field : {&s.asin, &s.user_id, &s.title, &s.body, &s.device_id}) {
    absl::StrAppend(&input, field->size(), ":", *field, ";");
  }
  absl::StrAppend(&input, s.rating, ";", s.verified_purchase ? 1 : 0);
  // Only for imports, so the digests of live submissions (kept in Redis markers across a
  // rollout) stay what they were.
  if (s.imported) absl::StrAppend(&input, ";imported:", absl::ToUnixNanos(s.submitted_at));
  return review::Sha256Hex(input).substr(0, 32);
}

}  // namespace candor::gateway
