#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace candor::review {

// A review's lifecycle state: the one vocabulary for the API (candor.review.v1.ReviewStatus), the
// events, the services and the database column reviews.status. Each state has one name, used
// everywhere a state is spelled out (logs, SQL parameters, reports).
//
//   kAwaitingScoring  taken by the gateway, not yet scored ("awaiting_scoring"; never stored:
//                     a review reaches the database only with its first decision)
//   kActive           passed scoring or moderation; it counts ("active")
//   kHeld             held for a moderator to decide; it does not count ("held")
//   kRejected         refused by scoring or by a moderator ("rejected")
//   kRemoved          was active, then removed (soft delete); may be restored ("removed")
enum class ReviewStatus { kAwaitingScoring, kActive, kHeld, kRejected, kRemoved };

// Every state, in declaration order (a new state joins it here): what ParseStatus searches and
// what tests iterate.
inline constexpr std::array kEveryStatus = {ReviewStatus::kAwaitingScoring, ReviewStatus::kActive,
                                            ReviewStatus::kHeld, ReviewStatus::kRejected,
                                            ReviewStatus::kRemoved};

// The stored and logged name of `status`, e.g. "held".
std::string_view StatusName(ReviewStatus status);

// The inverse of StatusName; nullopt for any other text (including the retired "pending").
std::optional<ReviewStatus> ParseStatus(std::string_view name);

// Whether a review in `status` counts toward its product's rating (I1: only active reviews do).
constexpr bool Counts(ReviewStatus status) { return status == ReviewStatus::kActive; }

}  // namespace candor::review
