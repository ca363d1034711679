#include "tools/candor-drive/client.h"

#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/auth/jwt.h"

namespace candor::drive {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  // The default backoff grows to two minutes; a gateway that starts late should be seen soon.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

void TokenBook::Add(const std::string& user) {
  if (bearer_.contains(user)) return;
  absl::Time now = absl::Now();
  bearer_[user] =
      absl::StrCat("Bearer ", auth::MintHs256({user, "customer", now + ttl_}, secret_, now));
}

const std::string& TokenBook::BearerFor(const std::string& user) const {
  auto it = bearer_.find(user);
  if (it == bearer_.end()) {
    std::cerr << "candor-drive: bug: no token minted for user '" << user << "'\n";
    std::abort();
  }
  return it->second;
}

std::vector<SummaryAnswer> FetchSummaries(ReviewStub& stub, const std::string& bearer,
                                          const std::vector<std::string>& asins, int concurrency,
                                          absl::Duration deadline) {
  struct Call {
    grpc::ClientContext ctx;
    review::v1::GetProductSummaryRequest req;
    review::v1::ProductSummary resp;
  };
  std::vector<SummaryAnswer> answers(asins.size());
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;

  for (size_t i = 0; i < asins.size(); ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < concurrency; });
      ++in_flight;
    }
    auto* call = new Call;
    call->req.set_asin(asins[i]);
    if (!bearer.empty()) call->ctx.AddMetadata("authorization", bearer);
    call->ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
    stub.async()->GetProductSummary(&call->ctx, &call->req, &call->resp,
                                    [&, call, i](grpc::Status s) {
                                      SummaryAnswer& a = answers[i];
                                      a.code = static_cast<absl::StatusCode>(s.error_code());
                                      a.message = s.error_message();
                                      a.view.asin = asins[i];
                                      if (s.ok()) {
                                        const review::v1::ProductSummary& p = call->resp;
                                        a.view.review_count = p.review_count();
                                        a.view.average = p.average();
                                        a.view.display_average = p.display_average();
                                        a.view.verified_count = p.verified_count();
                                        a.view.verified_average = p.verified_average();
                                        for (int k = 0; k < 5 && k < p.histogram_size(); ++k)
                                          a.view.histogram[k] = p.histogram(k);
                                      }
                                      delete call;
                                      std::lock_guard lock(mu);
                                      --in_flight;
                                      cv.notify_all();
                                    });
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return answers;
}

bool Probe(ReviewStub& stub, const std::string& bearer, absl::Duration deadline,
           std::string* detail) {
  // Any well-formed ASIN will do; NOT_FOUND is as good an answer as OK.
  std::vector<SummaryAnswer> a = FetchSummaries(stub, bearer, {"B0PROBE000"}, 1, deadline);
  const absl::StatusCode code = a[0].code;
  *detail = absl::StrCat(CodeName(code), a[0].message.empty() ? "" : ": ", a[0].message);
  return code != absl::StatusCode::kUnavailable && code != absl::StatusCode::kDeadlineExceeded;
}

}  // namespace candor::drive
