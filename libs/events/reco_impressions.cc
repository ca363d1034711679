#include "libs/events/reco_impressions.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "candor/reco/v1/impressions.pb.h"
#include "libs/events/payload.h"
#include "libs/events/timestamp.h"
#include "libs/review/validation.h"

namespace candor::events {
namespace {

namespace v1 = candor::reco::v1;

// 1..64 characters, each a letter, a digit or one of `extra`.
absl::Status CheckToken(absl::string_view field, absl::string_view value, absl::string_view extra) {
  if (value.empty() || value.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be 1..64 characters, got ", value.size()));
  }
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    extra.find(c) != absl::string_view::npos;
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": only letters, digits and '", extra, "' are allowed"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RecoImpression> ImpressionFromProto(v1::RecoImpression& m) {
  absl::StatusOr<absl::Time> at =
      FromRequiredTimestamp("served_at", m.has_served_at(), m.served_at());
  if (!at.ok()) return at.status();
  RecoImpression i;
  i.request_id = std::move(*m.mutable_request_id());
  i.user_id = std::move(*m.mutable_user_id());
  i.experiment = std::move(*m.mutable_experiment());
  i.variant = std::move(*m.mutable_variant());
  i.items.reserve(static_cast<size_t>(m.items_size()));
  for (v1::ImpressedItem& item : *m.mutable_items()) {
    i.items.push_back(
        {.asin = std::move(*item.mutable_asin()), .score = item.score(), .stage = item.stage()});
  }
  i.served_at = *at;
  return i;
}

}  // namespace

std::string EncodeRecoImpression(const RecoImpression& i) {
  v1::RecoImpression msg;
  msg.set_request_id(i.request_id);
  msg.set_user_id(i.user_id);
  msg.set_experiment(i.experiment);
  msg.set_variant(i.variant);
  for (const ImpressedItem& item : i.items) {
    v1::ImpressedItem* out = msg.add_items();
    out->set_asin(item.asin);
    out->set_score(item.score);
    out->set_stage(item.stage);
  }
  ToProtoTimestamp(i.served_at, msg.mutable_served_at());
  return msg.SerializeAsString();
}

absl::StatusOr<RecoImpression> DecodeRecoImpression(std::string_view bytes) {
  return DecodePayload(bytes, ImpressionFromProto, ValidateRecoImpression);
}

absl::Status ValidateRecoImpression(const RecoImpression& i) {
  if (absl::Status st = CheckToken("request_id", i.request_id, "._:-"); !st.ok()) return st;
  if (absl::Status st = review::ValidateUserId(i.user_id); !st.ok()) return st;
  if (absl::Status st = CheckToken("experiment", i.experiment, "._-"); !st.ok()) return st;
  if (absl::Status st = CheckToken("variant", i.variant, "._-"); !st.ok()) return st;
  if (i.items.size() > kMaxImpressedItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("items: at most ", kMaxImpressedItems, ", got ", i.items.size()));
  }
  for (size_t k = 0; k < i.items.size(); ++k) {
    const ImpressedItem& item = i.items[k];
    const std::string field = absl::StrCat("items[", k, "]");
    if (!review::IsValidAsin(item.asin)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".asin: not a valid asin"));
    }
    if (!std::isfinite(item.score)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".score: must be finite"));
    }
    if (item.stage < 1 || item.stage > 4) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".stage: must be 1..4, got ", item.stage));
    }
  }
  return review::ValidateTime("served_at", i.served_at);
}

}  // namespace candor::events
