#include "services/fraud-scorer/config.h"

#include "absl/strings/str_cat.h"

namespace candor::fraud_scorer {

void RegisterFlags(core::Flags& flags, Config* c) {
  service::RegisterServiceFlags(
      flags,
      {.env_prefix = "CANDOR_FRAUD_",
       .adapters = kAdapters,
       .redis_addr_help = "Redis host:port holding the behaviour windows",
       .redis_timeout_help = "Redis connect/command timeout; past it the review is stored unscored",
       .admin_port = 9461},
      &c->service,
      {{{.input_topic_help = "topic of ReviewSubmitted messages; poison goes to <topic>.dlq",
         .max_batch_help = "most messages scored and stored in one transaction",
         .max_batch_limit = 10000},
        &c->consumer}});
  flags.AddString("output-topic", "CANDOR_FRAUD_OUTPUT_TOPIC", &c->output_topic,
                  "topic the ReviewEvent{accepted} messages go to");
  flags.AddString("scorer", "CANDOR_FRAUD_SCORER", &c->scorer,
                  "model (the trained model over the behaviour features) or rules (rules-v1)");
  RegisterModelFlags(flags, &c->model);
  flags.AddInt("publish-timeout-ms", "CANDOR_FRAUD_PUBLISH_TIMEOUT_MS", &c->publish_timeout_ms,
               "how long a batch waits for Kafka to confirm its Accepted events before it is "
               "retried",
               100, 600000);
}

void RegisterModelFlags(core::Flags& flags, ModelSettings* m) {
  flags.AddDouble("queue-threshold", "CANDOR_FRAUD_QUEUE_THRESHOLD", &m->queue_threshold,
                  "scores at or above this go to the moderation queue (status held)", 0.0, 1.0);
  flags.AddDouble("reject-threshold", "CANDOR_FRAUD_REJECT_THRESHOLD", &m->reject_threshold,
                  "scores above this are rejected; must be >= --queue-threshold", 0.0, 1.0);
  flags.AddString("model", "CANDOR_FRAUD_MODEL", &m->model_path,
                  "the fraud model (XGBoost JSON) written by candor-fraud-train; its metadata is "
                  "<model>.meta.json");
  flags.AddString("datacenter-cidrs", "CANDOR_FRAUD_DATACENTER_CIDRS", &m->datacenter_cidrs_path,
                  "file of datacenter networks (one CIDR a line, # comments) for the "
                  "datacenter_ip feature; empty for none");
  flags.AddInt("top-reasons", "CANDOR_FRAUD_TOP_REASONS", &m->top_reasons,
               "the model's largest contributions stored as reasons with each decision", 0, 21);
}

absl::Status ValidateThresholds(double queue, double reject) {
  if (queue > reject) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--queue-threshold (", queue, ") must not exceed --reject-threshold (", reject, ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateConfig(const Config& c) {
  if (absl::Status s = ValidateThresholds(c.model.queue_threshold, c.model.reject_threshold);
      !s.ok()) {
    return s;
  }
  if (c.scorer != "model" && c.scorer != "rules") {
    return absl::InvalidArgumentError(
        absl::StrCat("--scorer: '", c.scorer, "' is not a scorer (model or rules)"));
  }
  if (c.scorer == "model" && c.model.model_path.empty()) {
    return absl::InvalidArgumentError("--model: must name the model file with --scorer model");
  }
  if (absl::Status s = service::ValidateServiceConfig(c.service, kAdapters); !s.ok()) return s;
  if (absl::Status s = service::ValidateConsumerConfig(c.consumer); !s.ok()) return s;
  if (c.output_topic.empty())
    return absl::InvalidArgumentError("--output-topic: must not be empty");
  for (const std::string& input : service::InputTopics(c.consumer)) {
    if (input == c.output_topic) {
      return absl::InvalidArgumentError("--input-topic and --output-topic must differ");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelFiles> LoadModelFiles(const std::string& model_path,
                                          const std::string& datacenter_cidrs_path) {
  ModelFiles files;
  absl::StatusOr<std::unique_ptr<fraud::FraudModel>> model = fraud::FraudModel::Load(model_path);
  if (!model.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("--model: ", model.status().message()));
  }
  files.model = *std::move(model);
  if (!datacenter_cidrs_path.empty()) {
    absl::StatusOr<fraud::CidrList> list = fraud::CidrList::LoadFile(datacenter_cidrs_path);
    if (!list.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("--datacenter-cidrs: ", list.status().message()));
    }
    files.datacenters = *std::move(list);
  }
  return files;
}

absl::Status CheckConfigFiles(const Config& c) {
  if (c.scorer != "model") return absl::OkStatus();
  return LoadModelFiles(c.model.model_path, c.model.datacenter_cidrs_path).status();
}

}  // namespace candor::fraud_scorer
