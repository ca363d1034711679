#pragma once

#include <cstdint>

#include "libs/fraud/features.h"

namespace candor::fraud {

// What a feature store counted for one review, before any ratio, mean or clamp: the raw numbers
// every Feature is computed from (see features.h and README.md). Both feature stores fill it and
// hand it to ComputeFeatures, so the arithmetic, the defaults and the clamping live in one place.
// Plain data; any value may be out of range (clock skew, a corrupt counter), ComputeFeatures
// clamps.
struct RawFeatures {
  // The author. "Prior" = the author's reviews recorded before this one.
  double account_age_days = 0;  // (at - account creation) / 1 day; may be negative or NaN
  int64_t prior_reviews = 0;
  int64_t prior_verified = 0;
  int64_t prior_rating_sum = 0;
  int64_t prior_rating_square_sum = 0;
  // The author's session, this review included.
  int64_t reviews_24h = 1;
  int64_t reviews_7d = 1;
  int64_t distinct_products_24h = 1;
  int64_t text_length_sum_7d = 0;  // code points over the 7 d reviews
  bool datacenter_ip = false;      // set by the caller (CidrList), never by a store
  // The product, this review included.
  int64_t product_reviews_1h = 1;
  int64_t product_reviews_24h = 1;
  int64_t product_reviews_30d = 1;
  int64_t product_new_account_reviews_24h = 0;
  int64_t product_prior_reviews = 0;  // all time, as the store saw them
  int64_t product_prior_rating_sum = 0;
  // Near-duplicate text and shared addresses.
  double near_dup_similarity = 0;
  int64_t near_dup_accounts = 0;
  int64_t shared_ip_rejected = 0;
  int64_t shared_device_rejected = 0;
  // The review itself.
  int64_t rating = 3;
  bool verified_purchase = false;
  int64_t text_length = 0;
};

// The inclusive range every feature is clamped into, and the value it takes when its raw input
// is NaN (README.md lists them). Pure.
struct FeatureRange {
  float min = 0;
  float max = 0;
  float fallback = 0;  // for NaN; also the documented value when there is no data
};
const FeatureRange& RangeOf(Feature f);

// The features of `raw` exactly as features.h defines them; every value outside its RangeOf (or
// NaN) is clamped into range and listed in FeatureRow::clamped, in Feature order. Never fails.
// Pure, thread-safe.
FeatureRow ComputeFeatures(const RawFeatures& raw);

}  // namespace candor::fraud
