#include "libs/core/error.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::core {
namespace {

constexpr absl::string_view kRetryDelayUrl = "type.candor.dev/candor.RetryDelayMillis";
constexpr absl::string_view kDetailUrl = "type.candor.dev/candor.InternalDetail";

}  // namespace

absl::Status WithRetryDelay(absl::Status s, absl::Duration delay) {
  int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(delay));
  s.SetPayload(kRetryDelayUrl, absl::Cord(absl::StrCat(ms)));
  return s;
}

std::optional<absl::Duration> RetryDelay(const absl::Status& s) {
  auto payload = s.GetPayload(kRetryDelayUrl);
  int64_t ms = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &ms)) return std::nullopt;
  return absl::Milliseconds(ms);
}

absl::Status WithInternalDetail(absl::Status public_status, std::string_view detail) {
  public_status.SetPayload(kDetailUrl, absl::Cord(absl::string_view(detail.data(), detail.size())));
  return public_status;
}

std::optional<std::string> InternalDetail(const absl::Status& s) {
  auto payload = s.GetPayload(kDetailUrl);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

}  // namespace candor::core
