#pragma once

#include "bench/micro/review_corpus.h"

namespace candor::bench {

// Registers the search micro-benchmarks over `corpus` (borrowed; it must outlive
// benchmark::RunSpecifiedBenchmarks): BM_IndexCandor/<batch> (libs/search's XapianSearchIndex:
// Upsert + Commit per batch) beside its reference BM_IndexBareXapian/<batch> (a bare Xapian
// loop: the same text analysis, add_document, commit per batch) on the same documents, and
// BM_SearchProduct (one product-scoped query with facets, snippets and a page of 10, on an index
// of the whole corpus).
void RegisterSearchBenchmarks(const ReviewCorpus& corpus);

}  // namespace candor::bench
