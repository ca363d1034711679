#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "candor/testing/v1/probe_service.grpc.pb.h"
#include "libs/auth/jwt.h"
#include "libs/core/clock.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/service_gate.h"

namespace candor::rpc {

// For the tests of the gRPC scaffold (libs/rpc, libs/rest, libs/service): the test-only
// candor.testing.v1.ProbeService behind a ServiceGate, and the tokens that gate takes.

// A verifier of the HS256 tokens signed with `secret`; a secret it refuses fails the test.
auth::Verifier ProbeVerifier(const std::string& secret);

// "Bearer <token>": `subject` in `role`, valid for an hour, signed with `secret`.
std::string ProbeBearer(const std::string& subject, const std::string& role,
                        const std::string& secret);

// ProbeService with every method gated: ModeratorOnly (moderators) answers the caller's subject;
// Echo (every role) is the test's own: a subclass overrides it, takes its Call from BeginEcho and
// may keep it open with Hold until the test releases it. Thread-safe as a gRPC service.
class GatedProbe : public candor::testing::v1::ProbeService::CallbackService {
 public:
  explicit GatedProbe(auth::Verifier verifier, CallObserver& observer = NoopObserver());

  grpc::ServerUnaryReactor* ModeratorOnly(grpc::CallbackServerContext* ctx,
                                          const candor::testing::v1::ProbeRequest* request,
                                          candor::testing::v1::ProbeResponse* response) override;

  const ServiceGate& gate() const { return gate_; }

  // Waits until `n` calls are held (false after 10 s).
  bool WaitHeld(size_t n);
  // Finishes every held call OK.
  void ReleaseAll();

 protected:
  Call BeginEcho(grpc::CallbackServerContext* ctx) { return gate_.Begin(ctx, echo_); }
  // Keeps `call` open until ReleaseAll; returns what the handler returns.
  grpc::ServerUnaryReactor* Hold(const Call& call);

 private:
  core::SystemClock clock_;
  ServiceGate gate_;
  const ServiceGate::Method& moderator_only_ = gate_.method("ModeratorOnly");
  const ServiceGate::Method& echo_ = gate_.method("Echo");
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Call> held_;
};

}  // namespace candor::rpc
