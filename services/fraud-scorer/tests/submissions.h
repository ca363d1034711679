#pragma once

// Builds the ReviewSubmitted messages the fraud-scorer's integration tests feed it, encoded as the
// gateway does (fingerprint and the review id derived from it).
#include <string>

#include "absl/time/clock.h"
#include "candor/review/v1/events.pb.h"
#include "libs/review/fingerprint.h"

namespace candor::fraud_scorer {

// What a test submission says besides its product, author and text.
struct SubmissionFields {
  int rating = 4;
  std::string title = "Fine";
  bool verified_purchase = false;
};

// A valid submission of `body` by `user` on `asin`, submitted now.
inline review::v1::ReviewSubmitted Submission(const std::string& asin, const std::string& user,
                                              const std::string& body,
                                              const SubmissionFields& fields = {}) {
  review::v1::ReviewSubmitted m;
  m.set_asin(asin);
  m.set_user_id(user);
  m.set_rating(fields.rating);
  m.set_title(fields.title);
  m.set_body(body);
  m.set_verified_purchase(fields.verified_purchase);
  m.set_fingerprint(review::Fingerprint(asin, user, body));
  m.set_review_id(review::ReviewIdFromFingerprint(m.fingerprint()));
  m.mutable_submitted_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  return m;
}

}  // namespace candor::fraud_scorer
