#include "libs/rpc/probe_testing.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace candor::rpc {

namespace tv1 = candor::testing::v1;

auth::Verifier ProbeVerifier(const std::string& secret) {
  auth::VerifierOptions o;
  o.secret = secret;
  absl::StatusOr<auth::Verifier> v = auth::Verifier::Create(o);
  EXPECT_TRUE(v.ok()) << v.status();
  return *std::move(v);
}

std::string ProbeBearer(const std::string& subject, const std::string& role,
                        const std::string& secret) {
  return "Bearer " +
         auth::MintHs256({subject, role, absl::Now() + absl::Hours(1)}, secret, absl::Now());
}

GatedProbe::GatedProbe(auth::Verifier verifier, CallObserver& observer)
    : gate_(tv1::ProbeService::service_full_name(),
            {{"ModeratorOnly", {auth::Role::kModerator}}, {"Echo", auth::RoleSet::All()}},
            std::move(verifier), clock_, observer) {}

grpc::ServerUnaryReactor* GatedProbe::ModeratorOnly(grpc::CallbackServerContext* ctx,
                                                    const tv1::ProbeRequest* /*request*/,
                                                    tv1::ProbeResponse* response) {
  Call call = gate_.Begin(ctx, moderator_only_);
  absl::StatusOr<auth::Claims> caller = call.Authorize();
  if (!caller.ok()) return call.Finish(caller.status());
  response->set_subject(caller->subject);
  return call.Finish(absl::OkStatus());
}

bool GatedProbe::WaitHeld(size_t n) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return held_.size() >= n; });
}

void GatedProbe::ReleaseAll() {
  std::lock_guard lock(mu_);
  for (const Call& c : held_) c.Finish(absl::OkStatus());
  held_.clear();
}

grpc::ServerUnaryReactor* GatedProbe::Hold(const Call& call) {
  std::lock_guard lock(mu_);
  held_.push_back(call);
  cv_.notify_all();
  return call.reactor();
}

}  // namespace candor::rpc
