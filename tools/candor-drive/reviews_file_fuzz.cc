// Fuzz target: the Amazon JSON-lines reader behind replayed traffic (drive::ReadReviewsFile, for
// the replay and the benchmarks' file feed), fed the input as a whole file, plain or gzip
// (fuzz/README.md).
//
// The reader takes a path, so the bytes go into an anonymous in-memory file (memfd) read back
// through /proc/self/fd: nothing touches the disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "fuzz/check.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"
#include "tools/candor-drive/traffic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("reviews", 0);
  FUZZ_CHECK(fd >= 0, "memfd_create");
  for (size_t done = 0; done < size;) {
    const ssize_t n = write(fd, data + done, size - done);
    FUZZ_CHECK(n > 0, "write to the memfd");
    done += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  candor::drive::ReadStats stats;
  absl::StatusOr<candor::drive::Plan> plan =
      candor::drive::ReadReviewsFile(path, /*limit=*/0, "p-", &stats);
  close(fd);
  if (!plan.ok()) return 0;

  FUZZ_CHECK(!plan->primaries.empty(), "a plan read from a file has a review");
  FUZZ_CHECK(stats.lines >= static_cast<int64_t>(plan->primaries.size()) + stats.malformed,
             "every row is a counted line");
  for (const candor::drive::PlannedRequest& p : plan->primaries) {
    FUZZ_CHECK(p.review.user.size() > 2 && p.review.user.compare(0, 2, "p-") == 0,
               "the user is the prefix plus a non-empty reviewerID");
    FUZZ_CHECK(!p.review.asin.empty(), "every row has an asin");
    candor::review::SubmissionInput in;
    in.asin = p.review.asin;
    in.rating = p.review.rating;
    in.title = p.review.title;
    in.body = p.review.body;
    in.verified_purchase = p.review.verified_purchase;
    const bool valid = candor::review::ValidateSubmission(in).ok();
    FUZZ_CHECK(valid == (p.expect != candor::drive::Expect::kInvalid),
               "a row is expected INVALID_ARGUMENT exactly when validation refuses it");
  }
  for (const candor::drive::UserLimit& limit : plan->user_limits) {
    FUZZ_CHECK(!limit.exact, "a file's daily-limit checks are inexact");
  }
  return 0;
}
