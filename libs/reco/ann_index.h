#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace candor::reco {

// Retrieval over item vectors by inner product (issue 14 item 3; README.md, "ANN retrieval"):
// exact search (a brute-force scan) and FAISS's HNSW graph (IndexHNSWFlat, inner product).
// reco-api asks for the ~1,000 candidates of a user vector; SimilarItems for an item's
// neighbours. Only the target candor::reco_ann links FAISS.

// One search result.
struct Neighbour {
  int32_t row = 0;  // row of the vectors given to Build
  float score = 0;  // inner product of that row with the query
};

// Immutable once built. Search is const and thread-safe: it uses no shared scratch, no global and
// no OpenMP (no thread is started per request), so any number of threads may search one index.
class AnnIndex {
 public:
  virtual ~AnnIndex() = default;
  virtual std::string Name() const = 0;  // "exact", "hnsw(M=32,efSearch=128)"
  virtual int32_t dim() const = 0;
  virtual int32_t size() const = 0;
  // The k rows with the highest inner product with `query` (dim floats), best first; fewer when
  // size() < k. Ties: the lower row first. Returns nothing when k <= 0, or when the query does
  // not have dim() values or has a non-finite one.
  virtual std::vector<Neighbour> Search(std::span<const float> query, int32_t k) const = 0;
};

struct HnswOptions {
  int32_t m = 32;                 // graph degree (FAISS's M; level 0 has 2M links), 2..256
  int32_t ef_construction = 200;  // candidate list while building, >= 1
  int32_t ef_search = 128;        // candidate list while searching, >= 1 (at least k is used)
};

// vectors: n x dim row-major. InvalidArgument on empty input, size mismatch, non-finite values.
// Both copy the vectors.

// The exact top k by a scan over every row (no FAISS call).
absl::StatusOr<std::unique_ptr<AnnIndex>> BuildExactIndex(std::span<const float> vectors,
                                                          int32_t dim);
// FAISS IndexHNSWFlat with METRIC_INNER_PRODUCT. The graph is built on the calling thread only
// (OpenMP limited to one thread for the call), so the same input and options give the same
// graph, hence the same answers. Also InvalidArgument on options out of range.
absl::StatusOr<std::unique_ptr<AnnIndex>> BuildHnswIndex(std::span<const float> vectors,
                                                         int32_t dim, const HnswOptions& options);

// Mean over queries of |approx top-k ∩ exact top-k| / min(k, size). queries: q x dim.
// 0 when there is no query, queries.size() is not a multiple of dim, k <= 0 or the indexes' dims
// differ. Exact ties at the k-th score can make an exact answer count as a miss.
double RecallAtK(const AnnIndex& approx, const AnnIndex& exact, std::span<const float> queries,
                 int32_t k);

}  // namespace candor::reco
