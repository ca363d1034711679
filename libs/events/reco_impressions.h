#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::events {

// One item of a Recommend answer as it was shown.
struct ImpressedItem {
  std::string asin;
  float score = 0;
  int stage = 0;  // candor.reco.v1.Stage's number: 1 popularity, 2 retrieval, 3 ranker, 4 rule
  bool operator==(const ImpressedItem&) const = default;
};

// What reco-api showed one user in one answer (topic `reco-impressions`, key user_id).
struct RecoImpression {
  std::string request_id;  // 1..64 characters of [A-Za-z0-9._:-]
  std::string user_id;
  std::string experiment;            // 1..64 characters of [A-Za-z0-9._-]
  std::string variant;               // the same alphabet
  std::vector<ImpressedItem> items;  // in the order shown, at most kMaxImpressedItems
  absl::Time served_at = absl::InfinitePast();
  bool operator==(const RecoImpression&) const = default;
};

inline constexpr size_t kMaxImpressedItems = 100;

// The codec of topic `reco-impressions` (kRecoImpressionsTopic): a RecoImpression as
// candor.reco.v1.RecoImpression. reco-api encodes; tools/candor-reco-conversion decodes. Pure and
// thread-safe.

// The payload for `i`. Does not validate: reco-api builds `i` from its own answer.
std::string EncodeRecoImpression(const RecoImpression& i);

// The inverse of EncodeRecoImpression, then ValidateRecoImpression. Unknown fields are ignored.
// InvalidArgument, its message starting with the field, when the bytes do not decode or the
// impression is invalid.
absl::StatusOr<RecoImpression> DecodeRecoImpression(std::string_view bytes);

// request_id, experiment and variant as above, user_id a valid user id, at most 100 items each
// with a valid asin, a finite score and a stage 1..4, served_at within years 1..9999.
// InvalidArgument naming the field ("items[3].asin: ..."), or OK.
absl::Status ValidateRecoImpression(const RecoImpression& i);

}  // namespace candor::events
