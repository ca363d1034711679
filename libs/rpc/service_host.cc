#include "libs/rpc/service_host.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::rpc {
namespace {

// Turns reflection on or off for one builder. Linking grpc++_reflection registers its plugin
// for every server of the process (a static initialiser in that library), so this option
// removes it from a builder that wants none, and adds it to one that lacks it.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    auto reflection = grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const auto& p) { return p->name() == reflection; });
    if (enabled_)
      plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  bool enabled_;
};

int Ms(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

absl::Status ServerOptions::Check() const {
  if (listen.empty()) return absl::InvalidArgumentError("listen address must not be empty");
  if (max_receive_bytes < 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_receive_bytes must be at least 1024, got ", max_receive_bytes));
  }
  if (max_send_bytes != -1 && max_send_bytes < 1024) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_send_bytes must be -1 (no limit) or at least 1024, got ", max_send_bytes));
  }
  const std::pair<const char*, absl::Duration> durations[] = {
      {"keepalive_time", keepalive_time},
      {"keepalive_timeout", keepalive_timeout},
      {"keepalive_min_client_ping_interval", keepalive_min_client_ping_interval},
      {"drain_grace", drain_grace},
      {"drain_timeout", drain_timeout}};
  for (const auto& [name, d] : durations) {
    if (d < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must not be negative"));
    }
  }
  if (health_poll_interval < absl::Milliseconds(10)) {
    return absl::InvalidArgumentError("health_poll_interval must be at least 10 ms");
  }
  return absl::OkStatus();
}

ServiceHost::~ServiceHost() { Shutdown(); }

void ServiceHost::AddService(grpc::Service* service, const ServiceGate& gate) {
  services_.push_back({service, &gate});
}

void ServiceHost::AddHealthSource(std::string what, HealthSource source) {
  sources_.push_back({std::move(what), std::move(source)});
}

absl::Status ServiceHost::CheckDeclarations() const {
  for (const Hosted& h : services_) {
    const std::string& name = h.gate->service_name();
    const google::protobuf::ServiceDescriptor* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (d == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "service ", name, " is not a generated gRPC service linked into this binary"));
    }
    std::set<std::string, std::less<>> declared;
    for (const ServiceGate::Method& m : h.gate->methods()) declared.insert(m.name());
    for (int i = 0; i < d->method_count(); ++i) {
      if (declared.erase(d->method(i)->name()) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("/", name, "/", d->method(i)->name(),
                         " does not say which roles may call it (declare it in the service's "
                         "ServiceGate)"));
      }
    }
    if (!declared.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("/", name, "/", *declared.begin(),
                                                     " is declared but the service has no such "
                                                     "method"));
    }
  }
  return absl::OkStatus();
}

absl::Status ServiceHost::Start() {
  if (server_ != nullptr) return absl::FailedPreconditionError("the server was already started");
  if (absl::Status s = options_.Check(); !s.ok()) return s;
  if (absl::Status s = CheckDeclarations(); !s.ok()) return s;

  // The default health service is process-wide in gRPC; every server built from now on has it.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, grpc::InsecureServerCredentials(), &port_);
  for (const Hosted& h : services_) builder.RegisterService(h.service);
  builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
  builder.SetMaxReceiveMessageSize(options_.max_receive_bytes);
  builder.SetMaxSendMessageSize(options_.max_send_bytes);
  if (options_.keepalive_time > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Ms(options_.keepalive_time));
  }
  if (options_.keepalive_timeout > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Ms(options_.keepalive_timeout));
  }
  if (options_.keepalive_min_client_ping_interval > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               Ms(options_.keepalive_min_client_ping_interval));
  }
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             options_.keepalive_permit_without_calls ? 1 : 0);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen));
  }
  {
    std::lock_guard lock(mu_);
    // Names every hosted service, so that a per-service health check answers too; the
    // whole-server status ("") follows SetServingStatus(bool) below.
    for (const Hosted& h : services_) {
      server_->GetHealthCheckService()->SetServingStatus(h.gate->service_name(), true);
    }
    SetServing(true);
  }
  PollHealth();
  if (!sources_.empty()) {
    health_poller_ = std::make_unique<core::PeriodicReporter>(
        options_.health_poll_interval, [this](absl::Duration) { PollHealth(); });
  }
  return absl::OkStatus();
}

void ServiceHost::SetServing(bool serving) {
  serving_ = serving;
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

bool ServiceHost::serving() const {
  std::lock_guard lock(mu_);
  return serving_;
}

void ServiceHost::PollHealth() {
  // Asked without the lock: a slow source must not hold up StartDraining.
  const Source* failed = nullptr;
  absl::Status why;
  for (const Source& s : sources_) {
    why = s.check();
    if (!why.ok()) {
      failed = &s;
      break;
    }
  }
  std::lock_guard lock(mu_);
  if (drain_started_) return;
  if (failed != nullptr && serving_) {
    spdlog::error("health: NOT_SERVING, {}: {}", failed->what, why);
    failing_ = failed->what;
    SetServing(false);
  } else if (failed == nullptr && !serving_) {
    spdlog::info("health: SERVING again ({} recovered)", failing_);
    SetServing(true);
  }
}

void ServiceHost::StartDraining() {
  std::lock_guard lock(mu_);
  if (server_ == nullptr || drain_started_) return;
  drain_started_ = absl::Now();
  SetServing(false);
}

void ServiceHost::Shutdown() {
  if (server_ == nullptr) return;
  std::call_once(shutdown_once_, [this] {
    StartDraining();
    health_poller_.reset();
    absl::Time grace_end;
    {
      std::lock_guard lock(mu_);
      grace_end = *drain_started_ + options_.drain_grace;
    }
    if (absl::Duration left = grace_end - absl::Now(); left > absl::ZeroDuration()) {
      spdlog::info("draining: health NOT_SERVING, still serving for {}",
                   absl::FormatDuration(left));
      // Waiting is the point: load balancers need this long to see NOT_SERVING and move away.
      absl::SleepFor(left);
    }
    spdlog::info("draining: taking no new calls; in-flight calls have {} to finish",
                 absl::FormatDuration(options_.drain_timeout));
    server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.drain_timeout));
    server_->Wait();
  });
}

std::shared_ptr<grpc::Channel> ServiceHost::InProcessChannel() {
  if (server_ == nullptr) return nullptr;
  grpc::ChannelArguments args;
  // The server's own limit applies to what arrives; the channel takes whatever it answers.
  args.SetMaxReceiveMessageSize(-1);
  return server_->InProcessChannel(args);
}

}  // namespace candor::rpc
