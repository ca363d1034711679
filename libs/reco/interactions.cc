#include "libs/reco/interactions.h"

#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "libs/reco/require.h"

namespace candor::reco {
namespace {

// Debian's abseil has its own string_view; the maps look up by it.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

int32_t Intern(std::string_view id, std::vector<std::string>& ids,
               absl::flat_hash_map<std::string, int32_t>& index) {
  auto [it, inserted] = index.try_emplace(Sv(id), static_cast<int32_t>(ids.size()));
  if (inserted) ids.emplace_back(id);
  return it->second;
}

std::optional<int32_t> Find(std::string_view id,
                            const absl::flat_hash_map<std::string, int32_t>& index) {
  auto it = index.find(Sv(id));
  if (it == index.end()) return std::nullopt;
  return it->second;
}

}  // namespace

int32_t InteractionLog::InternUser(std::string_view id) {
  return Intern(id, user_ids_, user_index_);
}

int32_t InteractionLog::InternItem(std::string_view id) {
  return Intern(id, item_ids_, item_index_);
}

void InteractionLog::Add(int32_t user, int32_t item, float rating, int64_t unix_time) {
  Require(user >= 0 && user < num_users(), "InteractionLog::Add: user was not interned");
  Require(item >= 0 && item < num_items(), "InteractionLog::Add: item was not interned");
  interactions_.push_back(Interaction{user, item, rating, unix_time});
}

std::optional<int32_t> InteractionLog::FindUser(std::string_view id) const {
  return Find(id, user_index_);
}

std::optional<int32_t> InteractionLog::FindItem(std::string_view id) const {
  return Find(id, item_index_);
}

Sequences::Sequences(int32_t num_items, std::vector<int64_t> offsets, std::vector<Event> events)
    : num_items_(num_items), offsets_(std::move(offsets)), events_(std::move(events)) {
  Require(!offsets_.empty() && offsets_.front() == 0 &&
              offsets_.back() == static_cast<int64_t>(events_.size()),
          "Sequences: offsets do not span the events");
  for (std::size_t u = 1; u < offsets_.size(); ++u) {
    Require(offsets_[u - 1] <= offsets_[u], "Sequences: offsets decrease");
  }
  for (const Event& e : events_) {
    Require(e.item >= 0 && e.item < num_items_, "Sequences: item id out of range");
  }
}

std::string DataChecksum(const InteractionLog& log) {
  uint64_t h = 14695981039346656037ULL;
  auto mix = [&](std::string_view bytes) {
    for (const char c : bytes) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // a field separator no id byte sequence can fake
    h *= 1099511628211ULL;
  };
  for (const Interaction& i : log.interactions()) {
    mix(log.UserId(i.user));
    mix(log.ItemId(i.item));
    mix(std::to_string(i.unix_time));
  }
  return absl::StrFormat("fnv1a64:%016x", h);
}

}  // namespace candor::reco
