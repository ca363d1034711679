#pragma once

// Tests only: a submission as the fraud checks receive one. Header-only.

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::review::testing {

// Review 0123456789abcdef0123456789abcdef of product B000000001 by `user_id`, submitted at `at`:
// live, with no fingerprint, purchase, address, device or account claim.
inline Submission SubmissionOf(std::string user_id, int rating, std::string title, std::string body,
                               absl::Time at) {
  Submission s;
  s.review_id = "0123456789abcdef0123456789abcdef";
  s.asin = "B000000001";
  s.user_id = std::move(user_id);
  s.rating = rating;
  s.title = std::move(title);
  s.body = std::move(body);
  s.submitted_at = at;
  return s;
}

}  // namespace candor::review::testing
