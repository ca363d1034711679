#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace candor::rest {

// One REST route: an HTTP method and path template from an RPC's google.api.http option (or one
// of its additional_bindings), and the RPC it calls.
struct Route {
  // One '/'-separated piece of the template: a literal ("v1", "reviews:search") or a variable
  // ("{asin}": one path segment bound to that field of the request; a dotted name reaches into
  // a nested message).
  struct Segment {
    std::string literal;                                           // when `fields` is empty
    std::vector<const google::protobuf::FieldDescriptor*> fields;  // the variable's field path
  };

  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string pattern;      // the template as the proto writes it: "/v1/products/{asin}/summary"
  std::vector<Segment> segments;
  // "" (no body: fields not in the path come from the query string), "*" (the body is the
  // request message, less the path's fields) or a field name (the body is that field).
  std::string body;
  std::string grpc_method;  // "/candor.review.v1.ReviewService/GetProductSummary"
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// The values a path bound to a route's variables, in the route's order, percent-decoded.
using PathBindings = std::vector<std::pair<const Route::Segment*, std::string>>;

// Every REST route of some gRPC services, built from their descriptors' google.api.http options:
// the only description of a route there is, so an annotated RPC is reachable with no code of its
// own. Immutable after Build: thread-safe.
class RouteTable {
 public:
  // Routes of every method of `services` that carries the option (others have none).
  // InvalidArgument naming the method for a template this router does not take (not starting
  // with '/', an empty segment, a variable that is not a whole segment, `{x=...}` or `*`
  // wildcards, a field that does not exist, is repeated or is a message; a body field that does
  // not exist), or for two routes with the same method and template.
  static absl::StatusOr<RouteTable> Build(
      std::span<const google::protobuf::ServiceDescriptor* const> services);
  // The same, finding each service by full name ("candor.review.v1.ReviewService") in the
  // generated descriptor pool. NotFound naming a service that is not linked in.
  static absl::StatusOr<RouteTable> FromServiceNames(std::span<const std::string> names);

  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;      // kMatched
    PathBindings bindings;             // kMatched
    std::vector<std::string> allowed;  // kMethodNotAllowed: the methods the path takes
  };
  // The route for `http_method` and `path` (no query string). Among templates that fit, the one
  // with more literal segments wins ("/a/b" over "/a/{x}"). A path that some route fits with
  // another method is kMethodNotAllowed; "%xx" in a segment is decoded after the split, so a
  // variable may hold "/".
  Match Find(std::string_view http_method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Fills `request` (of the route's input type) from the path's bindings, the query string (only
// for routes without a body: `field=value`, a repeated field repeated, nested fields dotted,
// names as in the proto or its JSON name; enums by name or number, bytes base64, Timestamps
// RFC 3339) and the body (JSON, for routes with one). Path values win over body fields of the
// same name. InvalidArgument with a message a client can act on: which parameter or field, and
// what is wrong with it (JSON syntax, an unknown field, a value of the wrong type).
absl::Status BindRequest(const Route& route, const PathBindings& bindings, std::string_view query,
                         std::string_view body, google::protobuf::Message* request);

// `message` as the REST answer's JSON: proto field names, every field present (defaults too),
// int64 as strings, enums by name (protobuf's proto3 JSON mapping).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace candor::rest
