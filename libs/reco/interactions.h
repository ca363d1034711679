#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace candor::reco {

// The rating of an interaction whose source has none (the Beauty sequences, a TSV row with an
// empty rating field).
inline constexpr float kNoRating = std::numeric_limits<float>::quiet_NaN();

// One user-item interaction (a review). `user` and `item` are dense ids from an InteractionLog.
struct Interaction {
  int32_t user = 0;
  int32_t item = 0;
  float rating = kNoRating;  // kNoRating when unknown; test with HasRating
  int64_t unix_time = 0;     // seconds
};

inline bool HasRating(const Interaction& i) { return !std::isnan(i.rating); }

// Interactions in source order, with users and items interned to dense ids 0..n-1 in order of
// first appearance; the source's string ids are kept for output and for joining with other data.
// Not thread-safe for writes; const use is safe from any thread.
class InteractionLog {
 public:
  // The dense id of `id`, added when new.
  int32_t InternUser(std::string_view id);
  int32_t InternItem(std::string_view id);

  // Appends one interaction; `user` and `item` must come from Intern* (checked, crashes if not).
  void Add(int32_t user, int32_t item, float rating, int64_t unix_time);

  std::optional<int32_t> FindUser(std::string_view id) const;
  std::optional<int32_t> FindItem(std::string_view id) const;
  const std::string& UserId(int32_t user) const { return user_ids_.at(user); }
  const std::string& ItemId(int32_t item) const { return item_ids_.at(item); }

  int32_t num_users() const { return static_cast<int32_t>(user_ids_.size()); }
  int32_t num_items() const { return static_cast<int32_t>(item_ids_.size()); }
  const std::vector<Interaction>& interactions() const { return interactions_; }

 private:
  std::vector<std::string> user_ids_;
  std::vector<std::string> item_ids_;
  absl::flat_hash_map<std::string, int32_t> user_index_;
  absl::flat_hash_map<std::string, int32_t> item_index_;
  std::vector<Interaction> interactions_;
};

// FNV-1a 64 over every interaction (user id, item id, time) in load order, as
// "fnv1a64:<16 hex digits>": names the data a model was trained on, whatever file format carried
// it.
std::string DataChecksum(const InteractionLog& log);

// An item a user interacted with, and when.
struct Event {
  int32_t item = 0;
  int64_t unix_time = 0;
};

// Every user's events, oldest first, stored contiguously (CSR): what a recommender is fit on.
// Users without events have an empty span. Immutable once built; safe to share across threads.
class Sequences {
 public:
  Sequences() = default;
  // `offsets` has num_users + 1 entries, non-decreasing, from 0 to events.size() (checked).
  Sequences(int32_t num_items, std::vector<int64_t> offsets, std::vector<Event> events);

  int32_t num_users() const { return static_cast<int32_t>(offsets_.size()) - 1; }
  int32_t num_items() const { return num_items_; }
  int64_t num_events() const { return static_cast<int64_t>(events_.size()); }
  std::span<const Event> Of(int32_t user) const {
    return std::span<const Event>(events_).subspan(
        static_cast<std::size_t>(offsets_[user]),
        static_cast<std::size_t>(offsets_[user + 1] - offsets_[user]));
  }

 private:
  int32_t num_items_ = 0;
  std::vector<int64_t> offsets_{0};
  std::vector<Event> events_;
};

}  // namespace candor::reco
