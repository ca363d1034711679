#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/search/search_index.h"

namespace Xapian {
class Database;
class WritableDatabase;
}  // namespace Xapian

namespace candor::search {

// What the facet counts need of one document, kept in memory per document id (rating 0: not
// known, read the document's values instead).
struct FacetRow {
  double created_s = 0;  // seconds since 1970
  uint8_t rating = 0;    // 1..5
  bool verified = false;
};

// The embedded search index (design.md 2): a Xapian database in a directory on local disk.
// English stemming, BM25 over title and body, boolean filters, exact facet counts, three sorts
// and highlighted snippets (README.md, "Xapian layout").
//
// One process writes (index-writer: Mode::kWrite holds Xapian's write lock); any number of
// processes read (Mode::kRead), each search seeing the last Commit. Thread-safe: calls are
// serialised on one handle, which is what Xapian's objects need.
class XapianSearchIndex final : public SearchIndex {
 public:
  enum class Mode { kRead, kWrite };

  // Opens `dir` (kWrite creates it when absent). FAILED_PRECONDITION when another process holds
  // the write lock; DATA_LOSS naming the directory and the rebuild command when the database is
  // corrupt or not a Xapian database; NOT_FOUND for kRead on a missing directory.
  static absl::StatusOr<std::unique_ptr<XapianSearchIndex>> Open(const std::string& dir, Mode mode);
  ~XapianSearchIndex() override;

  absl::Status Upsert(const std::vector<ReviewDocument>& documents) override;
  absl::Status Remove(const std::vector<std::string>& review_ids) override;
  absl::StatusOr<int64_t> UpdateScores(const std::vector<ScoreUpdate>& updates) override;
  absl::Status Commit() override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) override;
  absl::Status ForEachReviewId(const std::function<void(std::string_view)>& fn) override;
  absl::StatusOr<int64_t> DocumentCount() override;

  // What a DATA_LOSS at start tells the operator to run.
  static constexpr char kRebuildHint[] =
      "rebuild it from PostgreSQL with `candor-index-writer --rebuild` (services/index-writer)";

 private:
  XapianSearchIndex(std::string dir, Mode mode);

  // Reads the facets of the document ids `db` has added since the last call into facet_table_
  // (a value stream from the first new id: cheap when nothing is new). Upsert gives every
  // written document a new id, so a row once read stays true; a deleted id is never matched.
  void RefreshFacetTable(const Xapian::Database& db);

  const std::string dir_;
  const Mode mode_;
  std::mutex mu_;
  std::unique_ptr<Xapian::WritableDatabase> writer_;  // kWrite
  std::unique_ptr<Xapian::Database> reader_;          // kRead
  std::vector<FacetRow> facet_table_;                 // by document id; see RefreshFacetTable
  std::string facet_uuid_;                            // the database facet_table_ describes
};

}  // namespace candor::search
