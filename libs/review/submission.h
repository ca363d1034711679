#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace candor::review {

// What a shopper sends, before validation. Plain data; no invariants hold yet.
struct SubmissionInput {
  std::string asin;
  int64_t rating = 0;
  std::string title;
  std::string body;
  bool verified_purchase = false;
  std::string device_id;
};

// A validated, fingerprinted review on its way through the pipeline.
struct Submission {
  std::string review_id;
  std::string asin;
  std::string user_id;
  int rating = 0;
  std::string title;
  std::string body;
  bool verified_purchase = false;
  std::string fingerprint;  // lower-case hex SHA-256
  absl::Time submitted_at;
  std::string client_ip;
  std::string device_id;

  bool operator==(const Submission&) const = default;
};

// The shopper's part of `s`, as the gateway received it: what ValidateSubmission checks. Copies.
inline SubmissionInput ShopperInput(const Submission& s) {
  return SubmissionInput{s.asin, s.rating, s.title, s.body, s.verified_purchase, s.device_id};
}

}  // namespace candor::review
