// candor-reco-api: recommendations (candor.reco.v1.RecommendationService) from a two-tower model,
// FAISS retrieval and a re-ranker, fresh from review-events.
#include "libs/service/service_main.h"
#include "services/reco-api/app.h"
#include "services/reco-api/config.h"

int main(int argc, char** argv) {
  return candor::service::ServiceMain<candor::reco_api::Config>(
      argc, argv, "reco-api",
      "Recommendations: candor.reco.v1.RecommendationService/Recommend (a shopper's own, or "
      "anyone's for role service) and /SimilarItems over gRPC, and over REST/JSON on --http-port. "
      "Keeps every user's reviewed products and the popularity counts in Redis from "
      "review-events, so a review changes its author's next answer within seconds; logs every "
      "answer to reco-impressions.\n"
      "The HS256 secret comes from $CANDOR_JWT_SECRET only.");
}
