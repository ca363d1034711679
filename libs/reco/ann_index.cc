#include "libs/reco/ann_index.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "faiss/IndexFlat.h"
#include "faiss/IndexHNSW.h"
#include "faiss/MetricType.h"
#include "faiss/impl/AuxIndexStructures.h"
#include "faiss/impl/DistanceComputer.h"
#include "faiss/impl/HNSW.h"
#include "faiss/utils/Heap.h"

namespace candor::reco {
namespace {

// Best first: the higher score, then the lower row.
bool Better(const Neighbour& a, const Neighbour& b) {
  return a.score != b.score ? a.score > b.score : a.row < b.row;
}

// The inner product with 8 independent partial sums, which GCC vectorises without -ffast-math:
// about 5 times faster than one running sum (or FAISS 1.7.3's Debian build of
// fvec_inner_product) for dim 64 on this machine.
float Dot(const float* a, const float* b, int32_t dim) {
  std::array<float, 8> part{};
  int32_t i = 0;
  for (; i + 8 <= dim; i += 8) {
    for (int32_t j = 0; j < 8; ++j) part[j] += a[i + j] * b[i + j];
  }
  float tail = 0;
  for (; i < dim; ++i) tail += a[i] * b[i];
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7])) +
         tail;
}

bool UsableQuery(std::span<const float> query, int32_t dim, int32_t k) {
  return k > 0 && query.size() == static_cast<std::size_t>(dim) &&
         std::all_of(query.begin(), query.end(), [](float v) { return std::isfinite(v); });
}

absl::Status CheckVectors(std::span<const float> vectors, int32_t dim) {
  if (dim <= 0) return absl::InvalidArgumentError(absl::StrCat("dim must be > 0, not ", dim));
  if (vectors.empty()) return absl::InvalidArgumentError("no vector to index");
  if (vectors.size() % static_cast<std::size_t>(dim) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(vectors.size(), " floats are not a whole number of rows of ", dim));
  }
  // FAISS's HNSW stores rows as int32 ids.
  if (vectors.size() / static_cast<std::size_t>(dim) >
      static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError("more than 2^31 - 1 rows");
  }
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    if (!std::isfinite(vectors[i])) {
      return absl::InvalidArgumentError(absl::StrCat("row ", i / static_cast<std::size_t>(dim),
                                                     " has a non-finite value at column ",
                                                     i % static_cast<std::size_t>(dim)));
    }
  }
  return absl::OkStatus();
}

class ExactIndex : public AnnIndex {
 public:
  ExactIndex(std::span<const float> vectors, int32_t dim)
      : vectors_(vectors.begin(), vectors.end()),
        dim_(dim),
        size_(static_cast<int32_t>(vectors.size() / static_cast<std::size_t>(dim))) {}

  std::string Name() const override { return "exact"; }
  int32_t dim() const override { return dim_; }
  int32_t size() const override { return size_; }

  std::vector<Neighbour> Search(std::span<const float> query, int32_t k) const override {
    if (!UsableQuery(query, dim_, k)) return {};
    std::vector<Neighbour> all(static_cast<std::size_t>(size_));
    const float* row = vectors_.data();
    for (int32_t r = 0; r < size_; ++r, row += dim_) {
      all[static_cast<std::size_t>(r)] = {.row = r, .score = Dot(query.data(), row, dim_)};
    }
    const auto keep = static_cast<std::ptrdiff_t>(std::min(k, size_));
    std::nth_element(all.begin(), all.begin() + (keep - 1), all.end(), Better);
    std::sort(all.begin(), all.begin() + keep, Better);
    all.resize(static_cast<std::size_t>(keep));
    return all;
  }

 private:
  std::vector<float> vectors_;
  int32_t dim_;
  int32_t size_;
};

// HNSW keeps the smallest distances, so the search walks the negated inner product (what
// IndexHNSW does internally for METRIC_INNER_PRODUCT), computed with Dot over the index's
// stored rows.
class NegatedInnerProduct : public faiss::DistanceComputer {
 public:
  NegatedInnerProduct(const float* rows, int32_t dim) : rows_(rows), dim_(dim) {}
  void set_query(const float* x) override { query_ = x; }
  float operator()(idx_t i) override { return -Dot(query_, Row(i), dim_); }
  float symmetric_dis(idx_t i, idx_t j) override { return -Dot(Row(i), Row(j), dim_); }

 private:
  const float* Row(idx_t i) const { return rows_ + i * dim_; }

  const float* rows_;
  int32_t dim_;
  const float* query_ = nullptr;
};

// Sets the calling thread's OpenMP thread count (an OpenMP per-thread setting) for a scope.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads) : before_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~ScopedOmpThreads() { omp_set_num_threads(before_); }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int before_;
};

class HnswIndex : public AnnIndex {
 public:
  HnswIndex(std::unique_ptr<faiss::IndexHNSWFlat> index, int32_t dim, int32_t size,
            const HnswOptions& options)
      : index_(std::move(index)),
        rows_(dynamic_cast<const faiss::IndexFlat&>(*index_->storage).get_xb()),
        dim_(dim),
        size_(size),
        options_(options) {}

  std::string Name() const override {
    return absl::StrCat("hnsw(M=", options_.m, ",efSearch=", options_.ef_search, ")");
  }
  int32_t dim() const override { return dim_; }
  int32_t size() const override { return size_; }

  // faiss::IndexHNSW::search would run an OpenMP parallel region per call (a team of
  // omp_get_max_threads() threads for one query) and add to the global faiss::hnsw_stats without
  // a lock. HNSW::search is FAISS's single-thread search of one point; with a distance computer,
  // a visited table and a parameter object of the call's own, concurrent calls share nothing but
  // the read-only graph and vectors. The result heap is prepared and read as IndexHNSW::search
  // does (reco_ann_test checks the answers equal IndexHNSWFlat::search's).
  std::vector<Neighbour> Search(std::span<const float> query, int32_t k) const override {
    if (!UsableQuery(query, dim_, k)) return {};
    const int32_t want = std::min(k, size_);
    // FAISS 1.7.3 sizes the candidate list from hnsw.efSearch (set at build) and k, and only the
    // stop test reads params.efSearch (FAISS pull request 3233 made the params win, in 1.8), so
    // both carry ef_search here; neither is ever below k.
    faiss::SearchParametersHNSW params;
    params.efSearch = std::max(options_.ef_search, want);
    NegatedInnerProduct distance(rows_, dim_);
    distance.set_query(query.data());
    faiss::VisitedTable visited(size_);
    std::vector<faiss::Index::idx_t> labels(static_cast<std::size_t>(want));
    std::vector<float> distances(static_cast<std::size_t>(want));
    faiss::maxheap_heapify(labels.size(), distances.data(), labels.data());
    index_->hnsw.search(distance, want, labels.data(), distances.data(), visited, &params);
    std::vector<Neighbour> out;
    out.reserve(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] < 0) continue;  // the graph reached fewer than k rows
      out.push_back({.row = static_cast<int32_t>(labels[i]), .score = -distances[i]});
    }
    std::sort(out.begin(), out.end(), Better);
    return out;
  }

 private:
  std::unique_ptr<faiss::IndexHNSWFlat> index_;
  const float* rows_;  // the vectors, in index_'s flat storage
  int32_t dim_;
  int32_t size_;
  HnswOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AnnIndex>> BuildExactIndex(std::span<const float> vectors,
                                                          int32_t dim) {
  if (absl::Status s = CheckVectors(vectors, dim); !s.ok()) return s;
  return std::make_unique<ExactIndex>(vectors, dim);
}

absl::StatusOr<std::unique_ptr<AnnIndex>> BuildHnswIndex(std::span<const float> vectors,
                                                         int32_t dim, const HnswOptions& options) {
  if (absl::Status s = CheckVectors(vectors, dim); !s.ok()) return s;
  if (options.m < 2 || options.m > 256) {
    return absl::InvalidArgumentError(absl::StrCat("HNSW M must be in 2..256, not ", options.m));
  }
  if (options.ef_construction < 1 || options.ef_search < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("HNSW efConstruction and efSearch must be >= 1, not ", options.ef_construction,
                     " and ", options.ef_search));
  }
  const auto rows = static_cast<int64_t>(vectors.size() / static_cast<std::size_t>(dim));
  try {
    auto index =
        std::make_unique<faiss::IndexHNSWFlat>(dim, options.m, faiss::METRIC_INNER_PRODUCT);
    index->hnsw.efConstruction = options.ef_construction;
    index->hnsw.efSearch = options.ef_search;
    {
      // FAISS inserts with an OpenMP team; the order of concurrent inserts changes the graph.
      const ScopedOmpThreads one(1);
      index->add(rows, vectors.data());
    }
    return std::make_unique<HnswIndex>(std::move(index), dim, static_cast<int32_t>(rows), options);
  } catch (const std::exception& e) {  // faiss::FaissException, std::bad_alloc
    return absl::InternalError(absl::StrCat("FAISS HNSW build: ", e.what()));
  }
}

double RecallAtK(const AnnIndex& approx, const AnnIndex& exact, std::span<const float> queries,
                 int32_t k) {
  const int32_t dim = exact.dim();
  if (k <= 0 || approx.dim() != dim || dim <= 0 || queries.empty() ||
      queries.size() % static_cast<std::size_t>(dim) != 0) {
    return 0;
  }
  const std::size_t count = queries.size() / static_cast<std::size_t>(dim);
  const double denominator = std::min(k, exact.size());
  double sum = 0;
  std::vector<int32_t> truth;
  for (std::size_t q = 0; q < count; ++q) {
    const std::span<const float> query =
        queries.subspan(q * static_cast<std::size_t>(dim), static_cast<std::size_t>(dim));
    truth.clear();
    for (const Neighbour& n : exact.Search(query, k)) truth.push_back(n.row);
    std::sort(truth.begin(), truth.end());
    int64_t found = 0;
    for (const Neighbour& n : approx.Search(query, k)) {
      found += std::binary_search(truth.begin(), truth.end(), n.row) ? 1 : 0;
    }
    sum += static_cast<double>(found) / denominator;
  }
  return sum / static_cast<double>(count);
}

}  // namespace candor::reco
