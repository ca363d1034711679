#include "services/reco-api/rules.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "libs/core/file.h"
#include "libs/review/validation.h"
#include "nlohmann/json.hpp"

namespace candor::reco_api {
namespace {

using nlohmann::json;

absl::Status Bad(std::string_view source, const std::string& what) {
  return absl::InvalidArgumentError(std::string(source) + ": " + what);
}

absl::StatusOr<json> ParseObject(std::string_view text, std::string_view source) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Bad(source, "not valid JSON");
  if (!doc.is_object()) return Bad(source, "must be a JSON object");
  return doc;
}

// Fills `out` from the array of asins at `doc[key]`.
absl::Status AsinSet(const json& doc, const char* key, std::string_view source,
                     absl::flat_hash_set<std::string>* out) {
  if (!doc.contains(key)) return absl::OkStatus();
  const json& list = doc[key];
  if (!list.is_array()) return Bad(source, absl::StrCat(key, ": must be an array of asins"));
  for (const json& v : list) {
    if (!v.is_string() || !review::IsValidAsin(v.get<std::string>())) {
      return Bad(source, absl::StrCat(key, ": ", v.dump(), " is not an asin"));
    }
    out->insert(v.get<std::string>());
  }
  return absl::OkStatus();
}

bool IsName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<Rules> ParseRules(std::string_view json_text, std::string_view source) {
  absl::StatusOr<json> doc = ParseObject(json_text, source);
  if (!doc.ok()) return doc.status();
  static constexpr const char* kKeys[] = {"block",           "boost",      "pin",
                                          "fraud_campaigns", "categories", "category_cap"};
  for (const auto& item : doc->items()) {
    const std::string& key = item.key();
    if (std::find_if(std::begin(kKeys), std::end(kKeys),
                     [&key](const char* k) { return key == k; }) == std::end(kKeys)) {
      return Bad(source, absl::StrCat("unknown key '", key, "'"));
    }
  }
  Rules rules;
  if (absl::Status s = AsinSet(*doc, "block", source, &rules.blocked); !s.ok()) return s;
  if (absl::Status s = AsinSet(*doc, "fraud_campaigns", source, &rules.fraud_campaigns); !s.ok()) {
    return s;
  }
  if (doc->contains("boost")) {
    const json& boost = (*doc)["boost"];
    if (!boost.is_object()) return Bad(source, "boost: must be an object of asin -> number");
    for (const auto& [asin, value] : boost.items()) {
      if (!review::IsValidAsin(asin))
        return Bad(source, absl::StrCat("boost: '", asin, "' is not an asin"));
      if (!value.is_number() || !std::isfinite(value.get<double>())) {
        return Bad(source, absl::StrCat("boost.", asin, ": must be a finite number"));
      }
      rules.boost[asin] = value.get<float>();
    }
  }
  if (doc->contains("pin")) {
    const json& pins = (*doc)["pin"];
    if (!pins.is_array()) return Bad(source, "pin: must be an array of {asin, position}");
    absl::flat_hash_set<int32_t> taken;
    for (const json& p : pins) {
      if (!p.is_object() || !p.contains("asin") || !p["asin"].is_string() ||
          !review::IsValidAsin(p["asin"].get<std::string>())) {
        return Bad(source, absl::StrCat("pin: ", p.dump(), " needs an asin"));
      }
      if (!p.contains("position") || !p["position"].is_number_integer() ||
          p["position"].get<int64_t>() < 1 || p["position"].get<int64_t>() > 100) {
        return Bad(source, absl::StrCat("pin: ", p.dump(), " needs a position 1..100"));
      }
      const auto position = static_cast<int32_t>(p["position"].get<int64_t>());
      if (!taken.insert(position).second) {
        return Bad(source, absl::StrCat("pin: two products pinned at position ", position));
      }
      rules.pins.push_back({.asin = p["asin"].get<std::string>(), .position = position});
    }
    std::sort(rules.pins.begin(), rules.pins.end(),
              [](const Pin& a, const Pin& b) { return a.position < b.position; });
  }
  if (doc->contains("categories")) {
    const json& categories = (*doc)["categories"];
    if (!categories.is_object())
      return Bad(source, "categories: must be an object of asin -> name");
    for (const auto& [asin, value] : categories.items()) {
      if (!review::IsValidAsin(asin) || !value.is_string() || value.get<std::string>().empty()) {
        return Bad(source, absl::StrCat("categories: '", asin, "' needs an asin and a name"));
      }
      rules.category[asin] = value.get<std::string>();
    }
  }
  if (doc->contains("category_cap")) {
    const json& cap = (*doc)["category_cap"];
    if (!cap.is_number_integer() || cap.get<int64_t>() < 0 || cap.get<int64_t>() > 100) {
      return Bad(source, "category_cap: must be an integer 0..100");
    }
    rules.category_cap = static_cast<int32_t>(cap.get<int64_t>());
  }
  return rules;
}

absl::StatusOr<Rules> LoadRules(const std::string& path) {
  absl::StatusOr<std::string> text = core::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRules(*text, path);
}

uint64_t StableHash(std::string_view a, std::string_view b) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a offset basis
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;  // FNV-1a prime
  };
  for (char c : a) mix(static_cast<unsigned char>(c));
  mix(0x1f);
  for (char c : b) mix(static_cast<unsigned char>(c));
  // splitmix64's finaliser: FNV's low bits alone are too regular for a modulo.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

Experiment::Experiment()
    : name_("none"),
      variants_({{.name = "funnel", .weight = 1, .pipeline = Pipeline::kFunnel}}),
      total_weight_(1) {}

absl::StatusOr<Experiment> Experiment::Parse(std::string_view json_text, std::string_view source) {
  absl::StatusOr<json> doc = ParseObject(json_text, source);
  if (!doc.ok()) return doc.status();
  Experiment e;
  e.variants_.clear();
  e.total_weight_ = 0;
  if (!doc->contains("experiment") || !(*doc)["experiment"].is_string() ||
      !IsName((*doc)["experiment"].get<std::string>())) {
    return Bad(source, "experiment: needs a name of 1..64 letters, digits, '.', '_' or '-'");
  }
  e.name_ = (*doc)["experiment"].get<std::string>();
  if (!doc->contains("variants") || !(*doc)["variants"].is_array() || (*doc)["variants"].empty() ||
      (*doc)["variants"].size() > 16) {
    return Bad(source, "variants: needs an array of 1..16 variants");
  }
  absl::flat_hash_set<std::string> names;
  for (const json& v : (*doc)["variants"]) {
    if (!v.is_object() || !v.contains("name") || !v["name"].is_string() ||
        !IsName(v["name"].get<std::string>())) {
      return Bad(source, absl::StrCat("variants: ", v.dump(), " needs a name"));
    }
    const std::string name = v["name"].get<std::string>();
    if (!names.insert(name).second)
      return Bad(source, absl::StrCat("variants: '", name, "' twice"));
    if (!v.contains("weight") || !v["weight"].is_number_integer() ||
        v["weight"].get<int64_t>() < 1 || v["weight"].get<int64_t>() > 1000000) {
      return Bad(source, absl::StrCat("variants.", name, ".weight: must be 1..1000000"));
    }
    const std::string pipeline = v.value("pipeline", std::string());
    Variant variant{.name = name,
                    .weight = static_cast<int32_t>(v["weight"].get<int64_t>()),
                    .pipeline = Pipeline::kFunnel};
    if (pipeline == "popularity") {
      variant.pipeline = Pipeline::kPopularity;
    } else if (pipeline != "funnel") {
      return Bad(source,
                 absl::StrCat("variants.", name, ".pipeline: must be popularity or funnel, got '",
                              pipeline, "'"));
    }
    e.total_weight_ += variant.weight;
    e.variants_.push_back(std::move(variant));
  }
  return e;
}

absl::StatusOr<Experiment> Experiment::Load(const std::string& path) {
  absl::StatusOr<std::string> text = core::ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

const Variant& Experiment::Assign(std::string_view user_id) const {
  int64_t slot =
      static_cast<int64_t>(StableHash(user_id, name_) % static_cast<uint64_t>(total_weight_));
  for (const Variant& v : variants_) {
    if (slot < v.weight) return v;
    slot -= v.weight;
  }
  return variants_.back();  // unreachable: the weights sum to total_weight_
}

}  // namespace candor::reco_api
