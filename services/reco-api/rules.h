#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace candor::reco_api {

// A product placed at a fixed position of every answer (1 = first).
struct Pin {
  std::string asin;
  int32_t position = 1;
};

// The business rules and the re-ranker's settings (`--rules FILE`, README "Rules"). Plain data.
struct Rules {
  absl::flat_hash_set<std::string> blocked;          // never recommended
  absl::flat_hash_map<std::string, float> boost;     // added to the item's score
  std::vector<Pin> pins;                             // placed by position, ascending
  absl::flat_hash_set<std::string> fraud_campaigns;  // products under an active fraud campaign
  absl::flat_hash_map<std::string, std::string> category;  // asin -> category
  int32_t category_cap = 0;  // at most this many items of one category per answer (0: no cap)
};

// Parses a rules file's JSON text:
//   {"block": ["B0..."], "boost": {"B0...": 0.2}, "pin": [{"asin": "B0...", "position": 1}],
//    "fraud_campaigns": ["B0..."], "categories": {"B0...": "strings"}, "category_cap": 3}
// Every key is optional; an unknown key, a malformed asin, a non-finite boost, a position
// outside 1..100, two pins at one position or a negative cap is InvalidArgument naming `source`
// and the key.
absl::StatusOr<Rules> ParseRules(std::string_view json_text, std::string_view source);
// Reads and parses `path`. NotFound when it does not exist.
absl::StatusOr<Rules> LoadRules(const std::string& path);

// One arm of the experiment: which pipeline its users get.
enum class Pipeline { kPopularity, kFunnel };

struct Variant {
  std::string name;
  int32_t weight = 0;  // share of users, relative to the other variants' weights
  Pipeline pipeline = Pipeline::kFunnel;
};

// An A/B experiment (`--experiments FILE`): users are assigned by a hash of (user, experiment
// name), so a user stays in one variant for as long as the file does not change, on every
// instance. Without a file: experiment "none" with one variant "funnel".
class Experiment {
 public:
  Experiment();  // the default above
  // {"experiment": "home-2026-12", "variants": [{"name": "control", "weight": 50, "pipeline":
  //  "popularity"}, {"name": "treatment", "weight": 50, "pipeline": "funnel"}]}
  // InvalidArgument naming `source` and the problem (names 1..64 of [A-Za-z0-9._-], weights
  // 1..1000000, pipelines popularity|funnel, 1..16 variants, distinct names).
  static absl::StatusOr<Experiment> Parse(std::string_view json_text, std::string_view source);
  static absl::StatusOr<Experiment> Load(const std::string& path);

  const std::string& name() const { return name_; }
  const std::vector<Variant>& variants() const { return variants_; }
  // The variant of `user_id`: a stable 64-bit hash (FNV-1a, then a 64-bit finaliser) of
  // `user_id`, a 0x1f byte and the experiment's name, reduced modulo the total weight.
  const Variant& Assign(std::string_view user_id) const;

 private:
  std::string name_;
  std::vector<Variant> variants_;
  int64_t total_weight_ = 0;
};

// The hash Assign uses, exposed for tests and for tools that must agree with it.
uint64_t StableHash(std::string_view a, std::string_view b);

}  // namespace candor::reco_api
