#include "libs/rpc/service_gate.h"

#include <cstdlib>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "libs/core/log.h"
#include "libs/rpc/status.h"

namespace candor::rpc {
namespace {

[[noreturn]] void Bug(const std::string& what) {
  spdlog::critical("bug: {}", what);
  std::abort();
}

}  // namespace

std::string RequestId(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  auto it = metadata.find("x-request-id");
  if (it == metadata.end()) return {};
  std::string_view id(it->second.data(), it->second.size());
  if (id.empty() || id.size() > 64) return {};
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return {};
  }
  return std::string(id);
}

ServiceGate::ServiceGate(std::string service_full_name, const std::vector<MethodAccess>& methods,
                         auth::Verifier verifier, const core::Clock& clock, CallObserver& observer)
    : service_name_(std::move(service_full_name)),
      verifier_(std::move(verifier)),
      clock_(clock),
      observer_(observer) {
  methods_.reserve(methods.size());
  for (const MethodAccess& m : methods) {
    std::string full = absl::StrCat("/", service_name_, "/", m.method);
    if (m.roles.empty()) Bug(absl::StrCat(full, " is declared with no role that may call it"));
    for (const Method& seen : methods_) {
      if (seen.name_ == m.method) Bug(absl::StrCat(full, " is declared twice"));
    }
    Method& added = methods_.emplace_back();
    added.name_ = m.method;
    added.full_name_ = std::move(full);
    added.roles_ = m.roles;
  }
}

const ServiceGate::Method& ServiceGate::method(std::string_view name) const {
  for (const Method& m : methods_) {
    if (m.name_ == name) return m;
  }
  Bug(absl::StrCat("/", service_name_, "/", absl::string_view(name.data(), name.size()),
                   " was never declared in its ServiceGate (say which roles may call it)"));
}

Call ServiceGate::Begin(grpc::CallbackServerContext* ctx, const Method& method) const {
  return Call(ctx, *this, method);
}

absl::StatusOr<auth::Claims> Call::Authorize() {
  // client_metadata() is a multimap: every `authorization` value is handed on, so a second one
  // is refused as ambiguous instead of one of them being picked silently.
  auto [first, last] = ctx_->client_metadata().equal_range("authorization");
  absl::InlinedVector<std::string_view, 1> values;
  for (auto it = first; it != last; ++it) values.emplace_back(it->second.data(), it->second.size());
  absl::StatusOr<auth::Claims> claims =
      auth::Authenticate(values, gate_->verifier_, gate_->clock_.Now());
  if (!claims.ok()) return claims.status();
  if (absl::Status s = auth::RequireRole(*claims, method_->roles(), method_->full_name());
      !s.ok()) {
    return s;
  }
  authorized_ = true;
  return claims;
}

grpc::ServerUnaryReactor* Call::Finish(const absl::Status& status) const {
  if (status.ok() && !authorized_) {
    Bug(absl::StrCat(method_->full_name(), " answered OK without Call::Authorize"));
  }
  const core::LogContext log_rpc("rpc", method_->full_name());
  std::optional<core::LogContext> log_request;
  if (std::string id = RequestId(ctx_->client_metadata()); !id.empty()) {
    ctx_->AddInitialMetadata("x-request-id", id);
    log_request.emplace("request", std::move(id));
  }
  grpc::Status answer = ToGrpc(status);
  // Told before the answer is sent, so that a client holding the answer can count on the
  // observer having seen it (the tests do), and the latency includes the mapping.
  gate_->observer_.OnCallDone(method_->full_name(),
                              static_cast<absl::StatusCode>(answer.error_code()),
                              absl::FromChrono(std::chrono::steady_clock::now() - start_));
  reactor_->Finish(std::move(answer));
  return reactor_;
}

}  // namespace candor::rpc
