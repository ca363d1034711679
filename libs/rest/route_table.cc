#include "libs/rest/route_table.h"

#include <google/api/annotations.pb.h>
#include <google/protobuf/util/json_util.h>

#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/http/percent_decode.h"

namespace candor::rest {
namespace {

namespace pb = google::protobuf;
using nlohmann::json;

absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }
// absl here is older than its std::string_view alias: StrCat takes absl::string_view.
absl::string_view A(std::string_view s) { return Sv(s); }

// Well-known types whose proto3 JSON form is a string (or, for BoolValue, a bool): the only
// message fields a path or query value can set.
bool IsStringLikeMessage(const pb::Descriptor* d) {
  static const char* const kNames[] = {
      "google.protobuf.Timestamp",   "google.protobuf.Duration",   "google.protobuf.FieldMask",
      "google.protobuf.StringValue", "google.protobuf.BytesValue", "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.BoolValue"};
  for (const char* name : kNames) {
    if (d->full_name() == name) return true;
  }
  return false;
}

// The field a path or query name means: the proto name or its JSON (camelCase) name.
const pb::FieldDescriptor* FindField(const pb::Descriptor* d, std::string_view name) {
  const std::string n(name);
  if (const pb::FieldDescriptor* f = d->FindFieldByName(n)) return f;
  return d->FindFieldByCamelcaseName(n);
}

// "a.b.c" inside `d`: every part but the last a singular message. InvalidArgument naming the
// part that does not fit.
absl::StatusOr<std::vector<const pb::FieldDescriptor*>> ResolveFieldPath(const pb::Descriptor* d,
                                                                         std::string_view dotted) {
  std::vector<const pb::FieldDescriptor*> path;
  const pb::Descriptor* at = d;
  for (absl::string_view part : absl::StrSplit(Sv(dotted), '.')) {
    if (at == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", A(dotted), "': '", path.back()->name(), "' is not a message"));
    }
    const pb::FieldDescriptor* f = FindField(at, std::string_view(part.data(), part.size()));
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", A(dotted), "': ", at->full_name(), " has no field '", part, "'"));
    }
    path.push_back(f);
    const bool descend = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
                         !IsStringLikeMessage(f->message_type()) && !f->is_repeated();
    at = descend ? f->message_type() : nullptr;
  }
  return path;
}

// Whether a path or query value can set the last field of `path` (and reach it).
absl::Status CheckSettable(const std::vector<const pb::FieldDescriptor*>& path,
                           std::string_view dotted, bool allow_repeated) {
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i]->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", A(dotted), "': '", path[i]->name(), "' is repeated"));
    }
  }
  const pb::FieldDescriptor* last = path.back();
  if (last->is_map() || (last->is_repeated() && !allow_repeated)) {
    return absl::InvalidArgumentError(absl::StrCat("'", A(dotted), "' is a repeated field"));
  }
  if (last->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
      !IsStringLikeMessage(last->message_type())) {
    return absl::InvalidArgumentError(absl::StrCat("'", A(dotted), "' is a message (",
                                                   last->message_type()->full_name(),
                                                   "); send it in a JSON body"));
  }
  return absl::OkStatus();
}

std::string JoinPath(const std::vector<const pb::FieldDescriptor*>& path) {
  return absl::StrJoin(
      path, ".", [](std::string* out, const pb::FieldDescriptor* f) { out->append(f->name()); });
}

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1") {
    *out = true;
    return true;
  }
  if (v == "false" || v == "0") {
    *out = false;
    return true;
  }
  return false;
}

// A path or query value as the JSON value protobuf's parser takes for `f`: numbers may be
// strings in proto3 JSON, so only bools and numeric enums need a JSON type of their own.
absl::StatusOr<json> ValueJson(const pb::FieldDescriptor* f, std::string_view value,
                               std::string_view what) {
  const bool is_bool = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_BOOL ||
                       (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE &&
                        f->message_type()->full_name() == "google.protobuf.BoolValue");
  if (is_bool) {
    bool b = false;
    if (!ParseBool(value, &b)) {
      return absl::InvalidArgumentError(
          absl::StrCat(A(what), ": expected true or false, got '", A(value), "'"));
    }
    return json(b);
  }
  if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM && !value.empty() &&
      value.find_first_not_of("-0123456789") == std::string_view::npos) {
    int number = 0;
    if (!absl::SimpleAtoi(Sv(value), &number)) {
      return absl::InvalidArgumentError(
          absl::StrCat(A(what), ": '", A(value), "' is not an enum value"));
    }
    return json(number);
  }
  return json(std::string(value));
}

// The slot of `path` inside `root`, creating the objects on the way; the field's other JSON
// spelling is removed so that the path's value is the only one.
json& Slot(json& root, const std::vector<const pb::FieldDescriptor*>& path) {
  json* node = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!node->is_object()) *node = json::object();
    const pb::FieldDescriptor* f = path[i];
    if (f->json_name() != f->name()) node->erase(f->json_name());
    node = &(*node)[f->name()];
  }
  return *node;
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; the rest is the useful part.
std::string JsonError(const std::exception& e) {
  std::string_view what = e.what();
  if (absl::StartsWith(Sv(what), "[json.exception.")) {
    const size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

absl::StatusOr<Route> ParseRoute(const pb::MethodDescriptor* method,
                                 const google::api::HttpRule& rule) {
  Route r;
  r.method = method;
  r.grpc_method = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      r.http_method = "GET";
      r.pattern = rule.get();
      break;
    case google::api::HttpRule::kPut:
      r.http_method = "PUT";
      r.pattern = rule.put();
      break;
    case google::api::HttpRule::kPost:
      r.http_method = "POST";
      r.pattern = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      r.http_method = "DELETE";
      r.pattern = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      r.http_method = "PATCH";
      r.pattern = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      r.http_method = absl::AsciiStrToUpper(rule.custom().kind());
      r.pattern = rule.custom().path();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(r.grpc_method, ": google.api.http has no path"));
  }
  const std::string where = absl::StrCat(r.grpc_method, " ", r.http_method, " ", r.pattern);
  if (r.pattern.size() < 2 || r.pattern.front() != '/') {
    return absl::InvalidArgumentError(absl::StrCat(where, ": the path must start with '/'"));
  }
  for (absl::string_view piece : absl::StrSplit(Sv(r.pattern).substr(1), '/')) {
    Route::Segment seg;
    if (piece.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": empty path segment"));
    }
    if (piece.front() == '{' && piece.back() == '}') {
      const absl::string_view name = piece.substr(1, piece.size() - 2);
      if (name.empty() || absl::StrContains(name, '=') || absl::StrContains(name, '{')) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": variable '", piece, "' is not supported (only {field} and {a.b})"));
      }
      auto fields =
          ResolveFieldPath(method->input_type(), std::string_view(name.data(), name.size()));
      if (!fields.ok())
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", fields.status().message()));
      if (absl::Status s = CheckSettable(*fields, std::string_view(name.data(), name.size()),
                                         /*allow_repeated=*/false);
          !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": ", s.message()));
      }
      seg.fields = std::move(*fields);
    } else if (absl::StrContains(piece, '{') || absl::StrContains(piece, '}') ||
               absl::StrContains(piece, '*')) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": segment '", piece,
                       "' is not supported (a variable must be a whole segment; no wildcards)"));
    } else {
      seg.literal = std::string(piece);
    }
    r.segments.push_back(std::move(seg));
  }
  r.body = rule.body();
  if (!r.body.empty() && r.body != "*" &&
      method->input_type()->FindFieldByName(r.body) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": body field '", r.body, "' is not in ",
                                                   method->input_type()->full_name()));
  }
  return r;
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Build(
    std::span<const pb::ServiceDescriptor* const> services) {
  RouteTable table;
  for (const pb::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      if (!method->options().HasExtension(google::api::http)) continue;
      if (method->client_streaming() || method->server_streaming()) {
        return absl::InvalidArgumentError(
            absl::StrCat(method->full_name(), ": a streaming RPC cannot have a REST route here"));
      }
      const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (const google::api::HttpRule* one : rules) {
        absl::StatusOr<Route> route = ParseRoute(method, *one);
        if (!route.ok()) return route.status();
        for (const Route& other : table.routes_) {
          if (other.http_method == route->http_method && other.pattern == route->pattern) {
            return absl::InvalidArgumentError(
                absl::StrCat(route->http_method, " ", route->pattern, " is the route of both ",
                             other.grpc_method, " and ", route->grpc_method));
          }
        }
        table.routes_.push_back(*std::move(route));
      }
    }
  }
  return table;
}

absl::StatusOr<RouteTable> RouteTable::FromServiceNames(std::span<const std::string> names) {
  std::vector<const pb::ServiceDescriptor*> services;
  for (const std::string& name : names) {
    const pb::ServiceDescriptor* d = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (d == nullptr) {
      return absl::NotFoundError(absl::StrCat("service ", name, " is not linked into this binary"));
    }
    services.push_back(d);
  }
  return Build(services);
}

RouteTable::Match RouteTable::Find(std::string_view http_method, std::string_view path) const {
  Match best;
  if (path.empty() || path.front() != '/') return best;
  std::vector<std::string> parts;
  for (absl::string_view raw : absl::StrSplit(Sv(path).substr(1), '/')) {
    parts.push_back(http::PercentDecode(std::string_view(raw.data(), raw.size()), false));
  }
  int best_literals = -1;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    int literals = 0;
    bool fits = true;
    for (size_t i = 0; i < parts.size() && fits; ++i) {
      const Route::Segment& seg = route.segments[i];
      if (seg.fields.empty()) {
        fits = seg.literal == parts[i];
        ++literals;
      } else {
        fits = !parts[i].empty();
      }
    }
    if (!fits) continue;
    if (route.http_method != http_method) {
      if (std::find(best.allowed.begin(), best.allowed.end(), route.http_method) ==
          best.allowed.end()) {
        best.allowed.push_back(route.http_method);
      }
      continue;
    }
    if (literals > best_literals) {
      best_literals = literals;
      best.route = &route;
    }
  }
  if (best.route == nullptr) {
    best.outcome = best.allowed.empty() ? Outcome::kNotFound : Outcome::kMethodNotAllowed;
    return best;
  }
  best.outcome = Outcome::kMatched;
  best.allowed.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const Route::Segment& seg = best.route->segments[i];
    if (!seg.fields.empty()) best.bindings.emplace_back(&seg, std::move(parts[i]));
  }
  return best;
}

absl::Status BindRequest(const Route& route, const PathBindings& bindings, std::string_view query,
                         std::string_view body, pb::Message* request) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parse = [&](const std::string& text, std::string_view what) -> absl::Status {
    const pb::util::Status s = pb::util::JsonStringToMessage(text, request, options);
    if (s.ok()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat(A(what), ": ", absl::string_view(s.message().data(), s.message().size())));
  };
  const bool body_is_message = route.body == "*";
  if (body_is_message && !query.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(route.http_method, " ", route.pattern,
                     " takes its fields in the JSON body, not the query string"));
  }
  // An absent body is an empty message: the service says which fields it requires.
  const bool blank_body = absl::StripAsciiWhitespace(Sv(body)).empty();
  // The common case costs one parse: the body is the whole request.
  if (body_is_message && bindings.empty()) {
    return parse(blank_body ? std::string("{}") : std::string(body), "request body");
  }
  json root = json::object();
  if (!route.body.empty() && !blank_body) {
    json parsed;
    try {
      parsed = json::parse(body);
    } catch (const json::exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("request body is not valid JSON: ", JsonError(e)));
    }
    if (body_is_message) {
      if (!parsed.is_object()) {
        return absl::InvalidArgumentError("request body: expected a JSON object");
      }
      root = std::move(parsed);
    } else {
      root[route.body] = std::move(parsed);
    }
  }
  // Query parameters, grouped by field (a repeated field may come several times).
  std::map<std::string,
           std::pair<std::vector<const pb::FieldDescriptor*>, std::vector<std::string>>>
      params;
  if (!query.empty()) {
    for (absl::string_view pair : absl::StrSplit(Sv(query), '&', absl::SkipEmpty())) {
      const size_t eq = pair.find('=');
      const std::string key = http::PercentDecode(
          std::string_view(pair.data(), eq == absl::string_view::npos ? pair.size() : eq), true);
      const std::string value =
          eq == absl::string_view::npos
              ? std::string()
              : http::PercentDecode(std::string_view(pair.data() + eq + 1, pair.size() - eq - 1),
                                    true);
      auto path = ResolveFieldPath(route.method->input_type(), key);
      if (!path.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown query parameter ", path.status().message()));
      }
      if (absl::Status s = CheckSettable(*path, key, /*allow_repeated=*/true); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("query parameter ", s.message()));
      }
      const std::string canonical = JoinPath(*path);
      for (const auto& [seg, unused] : bindings) {
        if (JoinPath(seg->fields) == canonical) {
          return absl::InvalidArgumentError(
              absl::StrCat("query parameter '", key, "' is set by the path"));
        }
      }
      auto& slot = params[canonical];
      slot.first = *std::move(path);
      slot.second.push_back(value);
    }
  }
  for (auto& [name, entry] : params) {
    const auto& [path, values] = entry;
    const std::string what = absl::StrCat("query parameter '", name, "'");
    const pb::FieldDescriptor* last = path.back();
    json& slot = Slot(root, path);
    if (last->is_repeated()) {
      slot = json::array();
      for (const std::string& v : values) {
        absl::StatusOr<json> j = ValueJson(last, v, what);
        if (!j.ok()) return j.status();
        slot.push_back(*std::move(j));
      }
    } else {
      if (values.size() > 1)
        return absl::InvalidArgumentError(absl::StrCat(A(what), " is given twice"));
      absl::StatusOr<json> j = ValueJson(last, values[0], what);
      if (!j.ok()) return j.status();
      slot = *std::move(j);
    }
  }
  for (const auto& [seg, value] : bindings) {
    absl::StatusOr<json> j = ValueJson(
        seg->fields.back(), value, absl::StrCat("path parameter '", JoinPath(seg->fields), "'"));
    if (!j.ok()) return j.status();
    Slot(root, seg->fields) = *std::move(j);
  }
  std::string text;
  try {
    text = root.dump();
  } catch (const json::exception&) {
    return absl::InvalidArgumentError("a path or query parameter is not valid UTF-8");
  }
  return parse(text, "request");
}

std::string ToJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)pb::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace candor::rest
