// candor-reco-api: recommendations (candor.reco.v1.RecommendationService) from a two-tower model,
// FAISS retrieval and a re-ranker, fresh from review-events.
#include "libs/service/service_main.h"
#include "services/reco-api/app.h"
#include "services/reco-api/config.h"

int main(int argc, char** argv) {
  namespace reco_api = candor::reco_api;
  return candor::service::ServiceMain<reco_api::Config>(
      argc, argv,
      {.name = "reco-api",
       .summary =
           "Recommendations: candor.reco.v1.RecommendationService/Recommend (a shopper's own, or "
           "anyone's for role service) and /SimilarItems over gRPC, and over REST/JSON on "
           "--http-port. Keeps every user's reviewed products and the popularity counts in Redis "
           "from review-events, so a review changes its author's next answer within seconds; "
           "logs every answer to reco-impressions.\n"
           "The HS256 secret comes from $CANDOR_JWT_SECRET only.",
       .register_flags = reco_api::RegisterFlags,
       .validate = reco_api::ValidateConfig,
       .create_app = reco_api::CreateApp});
}
