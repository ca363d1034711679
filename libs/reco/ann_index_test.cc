#include "libs/reco/ann_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "faiss/IndexHNSW.h"
#include "faiss/impl/HNSW.h"

namespace candor::reco {
namespace {

using ::testing::HasSubstr;

// n x dim standard normal values, each row scaled to unit length.
std::vector<float> UnitVectors(int32_t n, int32_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<std::size_t>(n) * dim);
  for (int32_t r = 0; r < n; ++r) {
    float* row = &v[static_cast<std::size_t>(r) * dim];
    float norm = 0;
    for (int32_t c = 0; c < dim; ++c) {
      row[c] = normal(rng);
      norm += row[c] * row[c];
    }
    norm = std::sqrt(norm);
    for (int32_t c = 0; c < dim; ++c) row[c] /= norm;
  }
  return v;
}

std::span<const float> Row(const std::vector<float>& v, int32_t dim, int32_t r) {
  return std::span<const float>(v).subspan(static_cast<std::size_t>(r) * dim,
                                           static_cast<std::size_t>(dim));
}

// The reference: every row's product in a plain loop, sorted by score then row.
std::vector<Neighbour> Naive(const std::vector<float>& v, int32_t dim, std::span<const float> q,
                             int32_t k) {
  std::vector<Neighbour> all;
  const auto n = static_cast<int32_t>(v.size() / dim);
  for (int32_t r = 0; r < n; ++r) {
    float s = 0;
    for (int32_t c = 0; c < dim; ++c) s += q[c] * v[static_cast<std::size_t>(r) * dim + c];
    all.push_back({.row = r, .score = s});
  }
  std::sort(all.begin(), all.end(), [](const Neighbour& a, const Neighbour& b) {
    return a.score != b.score ? a.score > b.score : a.row < b.row;
  });
  all.resize(std::min<std::size_t>(all.size(), static_cast<std::size_t>(k)));
  return all;
}

std::vector<int32_t> Rows(const std::vector<Neighbour>& ns) {
  std::vector<int32_t> rows;
  rows.reserve(ns.size());
  for (const Neighbour& n : ns) rows.push_back(n.row);
  return rows;
}

std::unique_ptr<AnnIndex> Exact(const std::vector<float>& v, int32_t dim) {
  absl::StatusOr<std::unique_ptr<AnnIndex>> index = BuildExactIndex(v, dim);
  EXPECT_TRUE(index.ok()) << index.status();
  return std::move(index).value();
}

std::unique_ptr<AnnIndex> Hnsw(const std::vector<float>& v, int32_t dim,
                               const HnswOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<AnnIndex>> index = BuildHnswIndex(v, dim, options);
  EXPECT_TRUE(index.ok()) << index.status();
  return std::move(index).value();
}

TEST(ExactIndexTest, EqualsANaiveLoop) {
  constexpr int32_t kDim = 16;
  const std::vector<float> items = UnitVectors(700, kDim, 1);
  const std::vector<float> queries = UnitVectors(30, kDim, 2);
  const std::unique_ptr<AnnIndex> exact = Exact(items, kDim);
  EXPECT_EQ(exact->Name(), "exact");
  EXPECT_EQ(exact->dim(), kDim);
  EXPECT_EQ(exact->size(), 700);
  for (int32_t q = 0; q < 30; ++q) {
    for (const int32_t k : {1, 10, 100, 700}) {
      const std::vector<Neighbour> want = Naive(items, kDim, Row(queries, kDim, q), k);
      const std::vector<Neighbour> got = exact->Search(Row(queries, kDim, q), k);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].row, want[i].row) << "query " << q << " k " << k << " rank " << i;
        EXPECT_NEAR(got[i].score, want[i].score, 1e-6);
      }
    }
  }
}

TEST(ExactIndexTest, TiesGoToTheLowerRow) {
  // Rows 0 and 2 are equal; row 1 is orthogonal to the query.
  const std::vector<float> items = {1, 0, 0, 1, 1, 0};
  const std::unique_ptr<AnnIndex> exact = Exact(items, 2);
  const std::vector<float> q = {1, 0};
  EXPECT_THAT(Rows(exact->Search(q, 3)), ::testing::ElementsAre(0, 2, 1));
  EXPECT_THAT(Rows(exact->Search(q, 1)), ::testing::ElementsAre(0));
}

TEST(HnswIndexTest, RecallAt100OnRandomUnitVectors) {
  constexpr int32_t kDim = 32;
  const std::vector<float> items = UnitVectors(4000, kDim, 3);
  const std::vector<float> queries = UnitVectors(200, kDim, 4);
  const std::unique_ptr<AnnIndex> exact = Exact(items, kDim);
  const std::unique_ptr<AnnIndex> hnsw = Hnsw(items, kDim);
  EXPECT_EQ(hnsw->Name(), "hnsw(M=32,efSearch=128)");
  EXPECT_EQ(hnsw->dim(), kDim);
  EXPECT_EQ(hnsw->size(), 4000);
  const double recall = RecallAtK(*hnsw, *exact, queries, 100);
  EXPECT_GE(recall, 0.95);
  // A graph of degree 2 searched with a list of 1 (FAISS uses at least k) misses more: the
  // figure measures the search, it is not 1 by construction.
  const std::unique_ptr<AnnIndex> poor =
      Hnsw(items, kDim, HnswOptions{.m = 2, .ef_construction = 4, .ef_search = 1});
  EXPECT_LT(RecallAtK(*poor, *exact, queries, 100), recall);
  // The exact index against itself.
  EXPECT_DOUBLE_EQ(RecallAtK(*exact, *exact, queries, 100), 1.0);
}

TEST(HnswIndexTest, ScoresAreTheInnerProductsBestFirst) {
  constexpr int32_t kDim = 8;
  const std::vector<float> items = UnitVectors(500, kDim, 5);
  const std::vector<float> queries = UnitVectors(10, kDim, 6);
  const std::unique_ptr<AnnIndex> hnsw = Hnsw(items, kDim);
  for (int32_t q = 0; q < 10; ++q) {
    const std::vector<Neighbour> got = hnsw->Search(Row(queries, kDim, q), 50);
    ASSERT_EQ(got.size(), 50U);
    for (std::size_t i = 0; i < got.size(); ++i) {
      float s = 0;
      for (int32_t c = 0; c < kDim; ++c) {
        s += queries[static_cast<std::size_t>(q) * kDim + c] *
             items[static_cast<std::size_t>(got[i].row) * kDim + c];
      }
      EXPECT_NEAR(got[i].score, s, 1e-5);
      if (i > 0) {
        EXPECT_GE(got[i - 1].score, got[i].score);
      }
    }
  }
}

// Search calls FAISS's single-point HNSW::search itself (no OpenMP, no global statistics) with a
// distance computer of its own; its answers must be those of faiss::IndexHNSWFlat::search on a
// graph built the same way (scores to rounding: the products are summed in another order).
TEST(HnswIndexTest, AnswersEqualFaissIndexSearch) {
  constexpr int32_t kDim = 24;
  constexpr int32_t kRows = 2000;
  const std::vector<float> items = UnitVectors(kRows, kDim, 7);
  const std::vector<float> queries = UnitVectors(50, kDim, 8);
  const HnswOptions options{.m = 16, .ef_construction = 100, .ef_search = 40};
  const std::unique_ptr<AnnIndex> ours = Hnsw(items, kDim, options);

  faiss::IndexHNSWFlat theirs(kDim, options.m, faiss::METRIC_INNER_PRODUCT);
  theirs.hnsw.efConstruction = options.ef_construction;
  // FAISS 1.7.3 sizes its candidate list from this member whatever the params say.
  theirs.hnsw.efSearch = options.ef_search;
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  theirs.add(kRows, items.data());
  omp_set_num_threads(before);

  for (const int32_t k : {10, 100}) {
    faiss::SearchParametersHNSW params;
    params.efSearch = std::max(options.ef_search, k);
    std::vector<float> distances(static_cast<std::size_t>(50) * k);
    std::vector<faiss::Index::idx_t> labels(distances.size());
    theirs.search(50, queries.data(), k, distances.data(), labels.data(), &params);
    for (int32_t q = 0; q < 50; ++q) {
      const std::vector<Neighbour> got = ours->Search(Row(queries, kDim, q), k);
      ASSERT_EQ(got.size(), static_cast<std::size_t>(k));
      for (int32_t i = 0; i < k; ++i) {
        const std::size_t at = static_cast<std::size_t>(q) * k + i;
        EXPECT_EQ(got[i].row, labels[at]) << "query " << q << " k " << k << " rank " << i;
        EXPECT_NEAR(got[i].score, distances[at], 1e-6);
      }
    }
  }
}

TEST(HnswIndexTest, TheSameInputBuildsTheSameGraph) {
  constexpr int32_t kDim = 16;
  const std::vector<float> items = UnitVectors(1500, kDim, 9);
  const std::vector<float> queries = UnitVectors(20, kDim, 10);
  const HnswOptions options{.m = 8, .ef_construction = 40, .ef_search = 16};
  const std::unique_ptr<AnnIndex> a = Hnsw(items, kDim, options);
  const std::unique_ptr<AnnIndex> b = Hnsw(items, kDim, options);
  for (int32_t q = 0; q < 20; ++q) {
    EXPECT_EQ(Rows(a->Search(Row(queries, kDim, q), 100)),
              Rows(b->Search(Row(queries, kDim, q), 100)));
  }
}

TEST(AnnIndexTest, KAboveSizeReturnsEveryRow) {
  constexpr int32_t kDim = 4;
  const std::vector<float> items = UnitVectors(7, kDim, 11);
  const std::vector<float> q = UnitVectors(1, kDim, 12);
  const std::vector<int32_t> want = Rows(Naive(items, kDim, q, 7));
  ASSERT_EQ(want.size(), 7U);
  for (const std::unique_ptr<AnnIndex>& index : {Exact(items, kDim), Hnsw(items, kDim)}) {
    EXPECT_EQ(Rows(index->Search(q, 100)), want) << index->Name();
    EXPECT_EQ(Rows(index->Search(q, 7)), want) << index->Name();
    EXPECT_EQ(index->Search(q, 3).size(), 3U) << index->Name();
  }
  // One row.
  const std::vector<float> one = {0.6F, 0.8F, 0, 0};
  for (const std::unique_ptr<AnnIndex>& index : {Exact(one, kDim), Hnsw(one, kDim)}) {
    const std::vector<Neighbour> got = index->Search(q, 5);
    ASSERT_EQ(got.size(), 1U) << index->Name();
    EXPECT_EQ(got[0].row, 0);
    EXPECT_NEAR(got[0].score, 0.6F * q[0] + 0.8F * q[1], 1e-6);
  }
}

TEST(AnnIndexTest, BadInputIsInvalidArgument) {
  const HnswOptions defaults;
  const std::vector<float> good = UnitVectors(10, 4, 13);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::vector<float> vectors;
    int32_t dim;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, 4, "no vector"},
      {{1, 2, 3, 4, 5}, 4, "not a whole number of rows of 4"},
      {{1, 2, 3}, 0, "dim must be > 0"},
      {{1, 2, 3, 4}, -4, "dim must be > 0"},
      {{1, 2, 3, 4, 5, nan, 7, 8}, 4, "row 1 has a non-finite value at column 1"},
      {{inf, 0}, 2, "row 0 has a non-finite value at column 0"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<AnnIndex>> exact = BuildExactIndex(c.vectors, c.dim);
    EXPECT_TRUE(absl::IsInvalidArgument(exact.status())) << c.message << ": " << exact.status();
    EXPECT_THAT(exact.status().message(), HasSubstr(c.message));
    absl::StatusOr<std::unique_ptr<AnnIndex>> hnsw = BuildHnswIndex(c.vectors, c.dim, defaults);
    EXPECT_TRUE(absl::IsInvalidArgument(hnsw.status())) << c.message << ": " << hnsw.status();
    EXPECT_THAT(hnsw.status().message(), HasSubstr(c.message));
  }
  for (const HnswOptions& bad : {HnswOptions{.m = 1, .ef_construction = 200, .ef_search = 128},
                                 HnswOptions{.m = 1000, .ef_construction = 200, .ef_search = 128},
                                 HnswOptions{.m = 32, .ef_construction = 0, .ef_search = 128},
                                 HnswOptions{.m = 32, .ef_construction = 200, .ef_search = 0}}) {
    EXPECT_TRUE(absl::IsInvalidArgument(BuildHnswIndex(good, 4, bad).status()));
  }
}

TEST(AnnIndexTest, BadQueriesFindNothing) {
  const std::vector<float> items = UnitVectors(10, 4, 14);
  const std::vector<float> short_query = {1, 0, 0};
  const std::vector<float> nan_query = {1, std::numeric_limits<float>::quiet_NaN(), 0, 0};
  const std::vector<float> good = {1, 0, 0, 0};
  for (const std::unique_ptr<AnnIndex>& index : {Exact(items, 4), Hnsw(items, 4)}) {
    EXPECT_TRUE(index->Search(short_query, 5).empty()) << index->Name();
    EXPECT_TRUE(index->Search(nan_query, 5).empty()) << index->Name();
    EXPECT_TRUE(index->Search(good, 0).empty()) << index->Name();
    EXPECT_TRUE(index->Search(good, -3).empty()) << index->Name();
    EXPECT_EQ(index->Search(good, 5).size(), 5U) << index->Name();
  }
}

// Answers the same fixed rows for every query: RecallAtK's arithmetic by hand.
class FixedIndex : public AnnIndex {
 public:
  FixedIndex(std::vector<int32_t> rows, int32_t size) : rows_(std::move(rows)), size_(size) {}
  std::string Name() const override { return "fixed"; }
  int32_t dim() const override { return 2; }
  int32_t size() const override { return size_; }
  std::vector<Neighbour> Search(std::span<const float> /*query*/, int32_t k) const override {
    std::vector<Neighbour> out;
    for (std::size_t i = 0; i < rows_.size() && static_cast<int32_t>(i) < k; ++i) {
      out.push_back({.row = rows_[i], .score = -static_cast<float>(i)});
    }
    return out;
  }

 private:
  std::vector<int32_t> rows_;
  int32_t size_;
};

TEST(RecallAtKTest, CountsTheOverlapOverMinKAndSize) {
  // Exact top 4 of query (1, 0) over 6 rows: 5, 4, 3, 2 (scores 5..0 by row).
  const std::vector<float> items = {0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0};
  const std::unique_ptr<AnnIndex> exact = Exact(items, 2);
  const std::vector<float> queries = {1, 0, 1, 0};  // two queries
  EXPECT_DOUBLE_EQ(RecallAtK(FixedIndex({5, 0, 3, 1}, 6), *exact, queries, 4), 0.5);
  EXPECT_DOUBLE_EQ(RecallAtK(FixedIndex({2, 3, 4, 5}, 6), *exact, queries, 4), 1.0);
  EXPECT_DOUBLE_EQ(RecallAtK(FixedIndex({0}, 6), *exact, queries, 4), 0.0);
  // k above the size: the denominator is the size (6), not k.
  EXPECT_DOUBLE_EQ(RecallAtK(FixedIndex({0, 1, 2}, 6), *exact, queries, 10), 0.5);
  // Nothing to measure.
  EXPECT_DOUBLE_EQ(RecallAtK(*exact, *exact, {}, 4), 0.0);
  EXPECT_DOUBLE_EQ(RecallAtK(*exact, *exact, queries, 0), 0.0);
  EXPECT_DOUBLE_EQ(RecallAtK(*exact, *exact, std::vector<float>{1, 0, 1}, 4), 0.0);
}

TEST(AnnIndexTest, ConcurrentSearchesEqualSerialOnes) {
  constexpr int32_t kDim = 32;
  constexpr int32_t kQueries = 300;
  const std::vector<float> items = UnitVectors(3000, kDim, 15);
  const std::vector<float> queries = UnitVectors(kQueries, kDim, 16);
  for (const std::unique_ptr<AnnIndex>& index : {Exact(items, kDim), Hnsw(items, kDim)}) {
    std::vector<std::vector<int32_t>> serial;
    serial.reserve(kQueries);
    for (int32_t q = 0; q < kQueries; ++q) {
      serial.push_back(Rows(index->Search(Row(queries, kDim, q), 100)));
    }
    constexpr int kThreads = 4;
    std::vector<std::vector<std::vector<int32_t>>> parallel(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      parallel[t].resize(kQueries);
      threads.emplace_back([&, t] {
        // Each thread starts at a different query so that different searches overlap.
        for (int32_t i = 0; i < kQueries; ++i) {
          const int32_t q = (i + t * 37) % kQueries;
          parallel[t][q] = Rows(index->Search(Row(queries, kDim, q), 100));
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(parallel[t], serial) << index->Name() << " thread " << t;
    }
  }
}

}  // namespace
}  // namespace candor::reco
