#include "libs/events/reco_impressions.h"

#include <limits>

#include "candor/reco/v1/impressions.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/wire_testing.h"

namespace candor::events {
namespace {

using ::candor::events::testing::ExpectRoundTrip;
using ::candor::events::testing::ExpectValidateRefusals;
using ::testing::StartsWith;

RecoImpression Impression() {
  RecoImpression i;
  i.request_id = "req-1.a:b";
  i.user_id = "A2SUAM1J3GNN3B";
  i.experiment = "home-2026-12";
  i.variant = "treatment";
  i.items = {{.asin = "B000000001", .score = 0.75F, .stage = 2},
             {.asin = "B000000002", .score = -0.25F, .stage = 1},
             {.asin = "B000000003", .score = 9.0F, .stage = 4}};
  i.served_at = absl::FromUnixMicros(1'700'000'000'123'456);
  return i;
}

TEST(RecoImpressionTest, RoundTrips) {
  ExpectRoundTrip(Impression(), EncodeRecoImpression, DecodeRecoImpression);
  RecoImpression empty = Impression();
  empty.items.clear();  // an answer may be empty (nothing left after the rules)
  ExpectRoundTrip(empty, EncodeRecoImpression, DecodeRecoImpression);
}

TEST(RecoImpressionTest, EveryRefusedFieldIsNamed) {
  EXPECT_EQ(DecodeRecoImpression("\xff\xff").status().message(),
            "cannot decode candor.reco.v1.RecoImpression");
  ExpectValidateRefusals(
      Impression(), ValidateRecoImpression, EncodeRecoImpression, DecodeRecoImpression,
      {{[](auto& i) { i.request_id = ""; }, StartsWith("request_id")},
       {[](auto& i) { i.request_id = "new\nline"; }, StartsWith("request_id")},
       {[](auto& i) { i.user_id = ""; }, StartsWith("user_id")},
       {[](auto& i) { i.experiment = std::string(65, 'e'); }, StartsWith("experiment")},
       {[](auto& i) { i.variant = "a b"; }, StartsWith("variant")},
       {[](auto& i) { i.items[1].asin = "nope"; }, StartsWith("items[1].asin")},
       {[](auto& i) { i.items[2].score = std::numeric_limits<float>::infinity(); },
        StartsWith("items[2].score")},
       {[](auto& i) { i.items[0].stage = 0; }, StartsWith("items[0].stage")},
       {[](auto& i) { i.items.assign(kMaxImpressedItems + 1, i.items[0]); },
        StartsWith("items: at most 100")}});
  candor::reco::v1::RecoImpression m;
  m.set_request_id("r");
  EXPECT_EQ(DecodeRecoImpression(m.SerializeAsString()).status().message(), "served_at: required");
}

}  // namespace
}  // namespace candor::events
