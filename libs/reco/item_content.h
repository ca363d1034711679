#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/reco/interactions.h"
#include "libs/reco/loaders.h"

namespace candor::reco {

// The content tokens of an item's text (title, category path, brand...): the runs of ASCII
// letters and digits, lower-cased, each hashed (FNV-1a 64) into [0, buckets), distinct, in order
// of first appearance. Other bytes (punctuation, UTF-8) separate tokens. `buckets` >= 1.
std::vector<int32_t> ContentTokens(std::string_view text, int32_t buckets);

// Reads a tab-separated file, plain or gzip, of `item<TAB>text` (one item a line; a first line
// `item<TAB>text` is a header; blank lines ignored) and returns one token list per item of `log`
// (ContentTokens of its text; empty for items the file does not name). Lines naming an item
// `log` does not have are counted in `unknown` (may be null) and skipped: the file may describe a
// larger catalogue. A second line for the same item adds its tokens. A line is bad when it has no
// tab or an empty item. Errors as LoadTsv (loaders.h): NotFound / DataLoss, InvalidArgument
// "file:line: reason" (strict).
absl::StatusOr<std::vector<std::vector<int32_t>>> LoadItemContent(
    const std::string& path, const InteractionLog& log, int32_t buckets, const LoadOptions& options,
    LoadReport* report, int64_t* unknown);

}  // namespace candor::reco
