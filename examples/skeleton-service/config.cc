#include "examples/skeleton-service/config.h"

namespace candor::skeleton {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags, {.env_prefix = "CANDOR_SKELETON_", .adapters = kAdapters, .admin_port = 9469},
      &c->service,
      {{{.input_topic_help = "topic of ReviewEvent messages; poison goes "
                             "to <topic>.dlq",
         .max_batch_help = "most events counted in one batch"},
        &c->consumer}});
  service::RegisterGrpcFlags(flags, "CANDOR_SKELETON_", &c->grpc);
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  return service::ValidateGrpcConfig(c.grpc);
}

}  // namespace candor::skeleton
