#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::events::testing {

// Tests only. `bytes` (a serialized message) with one more field appended that no version of
// events.proto uses (number 99, length-delimited), as a newer producer would add one. A decoder
// that tolerates unknown fields decodes it as it decodes `bytes`.
inline std::string WithUnknownField(std::string bytes) {
  const std::string value = "from a newer producer";
  bytes += "\x9a\x06";  // the key: (99 << 3) | 2 as a varint
  bytes += static_cast<char>(value.size());
  return bytes + value;
}

// Tests only. Checks that `value` (a valid one) comes back equal from `decode(encode(value))`, and
// also when a newer producer's field is appended to the payload (WithUnknownField).
template <typename T>
void ExpectRoundTrip(const T& value, std::string (*encode)(const T&),
                     absl::StatusOr<T> (*decode)(std::string_view)) {
  const std::string bytes = encode(value);
  for (const std::string& payload : {bytes, WithUnknownField(bytes)}) {
    const absl::StatusOr<T> got = decode(payload);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, value);
  }
}

// Tests only. The message with which `decode` refuses the wire message `m` (a protobuf message of
// the topic); fails the test unless the refusal is InvalidArgument.
template <typename Message, typename T>
std::string DecodeError(const Message& m, absl::StatusOr<T> (*decode)(std::string_view)) {
  const absl::StatusOr<T> decoded = decode(m.SerializeAsString());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(decoded.status().message());
}

// Tests only. The message with which `validate` refuses `value`; fails the test unless the
// refusal is InvalidArgument and `decode` refuses `encode(value)` with the same status (a decoder
// checks exactly what its Validate checks).
template <typename T>
std::string ValidateError(const T& value, absl::Status (*validate)(const T&),
                          std::string (*encode)(const T&),
                          absl::StatusOr<T> (*decode)(std::string_view)) {
  const absl::Status refused = validate(value);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decode(encode(value)).status(), refused);
  return std::string(refused.message());
}

// Tests only. One way to make a valid `T` (a domain value or a wire message) invalid, and what the
// refusal of the result says.
template <typename T>
struct Refusal {
  std::function<void(T&)> spoil;
  ::testing::Matcher<const std::string&> message;  // e.g. StartsWith("asin")
};

// Tests only. For each of `cases`: a copy of `valid` (a wire message of the topic), spoiled, is
// refused by `decode` (DecodeError) with a message that the case's matcher accepts. A failure
// names the case by its position in `cases`.
template <typename Message, typename T>
void ExpectDecodeRefusals(const Message& valid, absl::StatusOr<T> (*decode)(std::string_view),
                          const std::vector<Refusal<Message>>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "refusal case " << i);
    Message m = valid;
    cases[i].spoil(m);
    EXPECT_THAT(DecodeError(m, decode), cases[i].message);
  }
}

// Tests only. The same for domain values: a copy of `valid`, spoiled, is refused by `validate`,
// and by `decode` of its encoding, as ValidateError checks.
template <typename T>
void ExpectValidateRefusals(const T& valid, absl::Status (*validate)(const T&),
                            std::string (*encode)(const T&),
                            absl::StatusOr<T> (*decode)(std::string_view),
                            const std::vector<Refusal<T>>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "refusal case " << i);
    T value = valid;
    cases[i].spoil(value);
    EXPECT_THAT(ValidateError(value, validate, encode, decode), cases[i].message);
  }
}

}  // namespace candor::events::testing
