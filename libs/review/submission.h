#pragma once

#include <cstdint>
#include <optional>
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
  // When the shopper submitted it: the gateway's clock for a live submission, the original time
  // for an imported one.
  absl::Time submitted_at;
  // The client's IP address in canonical text (IpAddress::ToString), or empty when unknown.
  std::string client_ip;
  std::string device_id;
  // True when it came from an earlier system through the service-role import (ImportReview),
  // with its original submission time; false for a shopper's live submission.
  bool imported = false;
  // When the author's account was created, as the identity provider states it (the token's
  // `acct_created` claim, or the importer's value); nullopt when nobody said.
  std::optional<absl::Time> account_created_at;

  bool operator==(const Submission&) const = default;
};

// The shopper's part of `s`, as the gateway received it: what ValidateSubmission checks. Copies.
inline SubmissionInput ShopperInput(const Submission& s) {
  return SubmissionInput{s.asin, s.rating, s.title, s.body, s.verified_purchase, s.device_id};
}

}  // namespace candor::review
