#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/auth/jwt.h"
#include "libs/auth/role.h"
#include "libs/core/clock.h"
#include "libs/rpc/call_observer.h"

namespace candor::rpc {

// One method of a service and the roles that may call it: every method a service serves is
// declared this way (ServiceHost refuses to start a service with an undeclared method).
struct MethodAccess {
  std::string method;   // the short name, as in the .proto ("SubmitReview")
  auth::RoleSet roles;  // who may call it; must not be empty
};

class Call;

// The caller's request id: the first `x-request-id` metadata value when it is 1-64 characters of
// [A-Za-z0-9._:-] (what proxies and the REST edge send), otherwise empty: a value that could
// forge log lines or bloat them is ignored rather than trusted.
std::string RequestId(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// The edge of one gRPC service: who may call each method (MethodAccess), authentication of the
// call's bearer token, the role check, the absl::Status -> grpc::Status mapping (ToGrpc) and
// the per-method metrics hook (CallObserver). A handler reads:
//
//   rpc::Call call = gate_.Begin(ctx, submit_);        // submit_ = gate_.method("SubmitReview")
//   absl::StatusOr<auth::Claims> caller = call.Authorize();
//   if (!caller.ok()) return call.Finish(caller.status());
//   ...                                                 // later, on any thread:
//   call.Finish(status);
//
// Immutable after construction: thread-safe. Borrows `clock` and `observer`, which must outlive
// it and every call it began.
class ServiceGate {
 public:
  // A declared method: its full gRPC name and roles. Handles are what handlers pass to Begin;
  // they stay valid as long as the gate.
  class Method {
   public:
    const std::string& full_name() const { return full_name_; }  // "/pkg.Service/Method"
    const std::string& name() const { return name_; }            // "Method"
    auth::RoleSet roles() const { return roles_; }

   private:
    friend class ServiceGate;
    std::string name_;
    std::string full_name_;
    auth::RoleSet roles_;
  };

  // `service_full_name` is the proto name (the generated class's `service_full_name()`,
  // e.g. "candor.review.v1.ReviewService"), `methods` every
  // method it serves (checked against the proto by ServiceHost::Start). A method declared twice
  // or with no role is a bug: it crashes here, with a message.
  ServiceGate(std::string service_full_name, const std::vector<MethodAccess>& methods,
              auth::Verifier verifier, const core::Clock& clock,
              CallObserver& observer = NoopObserver());
  ServiceGate(const ServiceGate&) = delete;
  ServiceGate& operator=(const ServiceGate&) = delete;

  // The handle of a declared method. Asking for an undeclared one is a bug: it crashes with a
  // message (at the service's construction, where handlers take their handles).
  const Method& method(std::string_view name) const;

  // Starts one call of `method`: takes the reactor of `ctx` and starts its latency clock.
  // The caller is not checked yet: that is Call::Authorize.
  Call Begin(grpc::CallbackServerContext* ctx, const Method& method) const;

  const std::string& service_name() const { return service_name_; }
  const std::vector<Method>& methods() const { return methods_; }

 private:
  friend class Call;

  // The caller's request id: the first `x-request-id` metadata value when it is 1-64 characters of
  // [A-Za-z0-9._:-] (what proxies and the REST edge send), otherwise empty: a value that could
  // forge log lines or bloat them is ignored rather than trusted.
  std::string RequestId(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

  std::string service_name_;
  std::vector<Method> methods_;  // never resized after construction: handles point into it
  auth::Verifier verifier_;
  const core::Clock& clock_;
  CallObserver& observer_;
};

// One unary call begun by ServiceGate::Begin. A small value (pointers and a time): copy it into
// the callbacks that finish the call. Authorize must have succeeded before an OK Finish:
// answering OK to a caller nobody checked is a bug, and crashes with a message naming the
// method. Finish must be called exactly once (gRPC's rule for a reactor).
class Call {
 public:
  // Authenticates the call's `authorization: Bearer <jwt>` (exactly one such header; see
  // auth::Authenticate) and checks that the token's role may call this method. The caller's
  // claims, Unauthenticated naming the problem, or PermissionDenied naming the method and the
  // roles it requires. Authentication comes first: no token is Unauthenticated even where a
  // role is required.
  absl::StatusOr<auth::Claims> Authorize();

  // Answers the call with ToGrpc(status) (client-safe text, error ids, RetryInfo) and tells the
  // gate's observer the code and latency. Returns the reactor, so that a handler can
  // `return call.Finish(...)`. Safe on any thread. A caller's `x-request-id` (RequestId) is
  // echoed in the answer's initial metadata, and what Finish logs (an error's id and cause)
  // carries it and the method as the JSON log fields "request" and "rpc".
  grpc::ServerUnaryReactor* Finish(const absl::Status& status) const;

  // The reactor, for a handler's `return` when the call finishes later.
  grpc::ServerUnaryReactor* reactor() const { return reactor_; }
  const ServiceGate::Method& method() const { return *method_; }

 private:
  friend class ServiceGate;
  Call(grpc::CallbackServerContext* ctx, const ServiceGate& gate, const ServiceGate::Method& method)
      : ctx_(ctx),
        reactor_(ctx->DefaultReactor()),
        gate_(&gate),
        method_(&method),
        start_(std::chrono::steady_clock::now()) {}

  grpc::CallbackServerContext* ctx_;
  grpc::ServerUnaryReactor* reactor_;
  const ServiceGate* gate_;
  const ServiceGate::Method* method_;
  std::chrono::steady_clock::time_point start_;
  bool authorized_ = false;
};

}  // namespace candor::rpc
