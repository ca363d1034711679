#include "tools/candor-reco-conversion/conversion.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <variant>

namespace candor::reco_conversion {

std::pair<double, double> WilsonInterval(int64_t k, int64_t n, double z) {
  if (n <= 0) return {0, 0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

void ConversionJoin::AddImpression(const events::RecoImpression& impression) {
  if (!seen_requests_.emplace(impression.request_id, true).second) return;
  Shown shown{.at = impression.served_at,
              .experiment = impression.experiment,
              .variant = impression.variant,
              .asins = {}};
  shown.asins.reserve(impression.items.size());
  for (const events::ImpressedItem& item : impression.items) shown.asins.push_back(item.asin);
  shown_by_user_[impression.user_id].push_back(std::move(shown));
}

void ConversionJoin::AddReviewEvent(const review::ReviewEvent& event) {
  if (const auto* accepted = std::get_if<review::ReviewAccepted>(&event.change)) {
    if (accepted->user_id.empty()) return;  // an anonymous import: nobody to attribute it to
    reviews_.try_emplace(event.review_id, Review{.user = accepted->user_id,
                                                 .asin = event.asin,
                                                 .at = event.occurred_at,
                                                 .active = true});
    return;
  }
  auto it = reviews_.find(event.review_id);
  if (it == reviews_.end()) return;
  it->second.active = std::holds_alternative<review::ReviewRestored>(event.change);
}

std::vector<VariantResult> ConversionJoin::Compute(absl::Duration window) const {
  // Reviews by user, for the join.
  std::map<std::string, std::vector<const Review*>> reviews_by_user;
  for (const auto& [id, r] : reviews_) {
    if (r.active) reviews_by_user[r.user].push_back(&r);
  }
  std::map<std::pair<std::string, std::string>, VariantResult> arms;
  for (const auto& [user, shown] : shown_by_user_) {
    std::set<std::pair<std::string, std::string>> user_arms;
    std::set<std::pair<std::string, std::string>> converted_arms;
    for (const Shown& s : shown) {
      VariantResult& arm = arms[{s.experiment, s.variant}];
      arm.experiment = s.experiment;
      arm.variant = s.variant;
      ++arm.impressions;
      arm.items_shown += static_cast<int64_t>(s.asins.size());
      user_arms.insert({s.experiment, s.variant});
    }
    auto reviews = reviews_by_user.find(user);
    if (reviews != reviews_by_user.end()) {
      for (const Review* r : reviews->second) {
        // The earliest impression in the window before the review that showed its product
        // takes the conversion, so a review counts once per user.
        const Shown* credited = nullptr;
        for (const Shown& s : shown) {
          if (s.at > r->at || r->at - s.at > window) continue;
          if (std::find(s.asins.begin(), s.asins.end(), r->asin) == s.asins.end()) continue;
          if (credited == nullptr || s.at < credited->at) credited = &s;
        }
        if (credited == nullptr) continue;
        ++arms[{credited->experiment, credited->variant}].conversions;
        converted_arms.insert({credited->experiment, credited->variant});
      }
    }
    for (const auto& key : user_arms) ++arms[key].users;
    for (const auto& key : converted_arms) ++arms[key].converted_users;
  }
  std::vector<VariantResult> out;
  std::map<std::string, const VariantResult*> baseline_of;
  for (auto& [key, arm] : arms) {
    arm.rate = arm.users == 0
                   ? 0
                   : static_cast<double>(arm.converted_users) / static_cast<double>(arm.users);
    std::tie(arm.ci_low, arm.ci_high) = WilsonInterval(arm.converted_users, arm.users);
  }
  for (auto& [key, arm] : arms) {
    auto [it, first] = baseline_of.try_emplace(arm.experiment, &arm);
    if (!first) {
      const VariantResult& base = *it->second;
      arm.baseline = base.variant;
      arm.diff = arm.rate - base.rate;
      const double se = std::sqrt(
          (arm.users == 0 ? 0 : arm.rate * (1 - arm.rate) / static_cast<double>(arm.users)) +
          (base.users == 0 ? 0 : base.rate * (1 - base.rate) / static_cast<double>(base.users)));
      arm.diff_low = arm.diff - 1.96 * se;
      arm.diff_high = arm.diff + 1.96 * se;
    }
    out.push_back(arm);
  }
  return out;
}

}  // namespace candor::reco_conversion
