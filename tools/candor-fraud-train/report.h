#pragma once

#include <string>

#include "nlohmann/json.hpp"

namespace candor::fraud_train {

// The evaluation report (markdown) of a trained model, rendered from its metadata (the
// `<model>.meta.json` candor-fraud-train writes: evaluation, forecast, feature importance,
// training, data and counts), each figure beside its target from issue 10. Throws
// nlohmann::json::exception when a section is missing (the trainer always writes them all).
std::string RenderReport(const nlohmann::json& meta);

}  // namespace candor::fraud_train
