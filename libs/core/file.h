#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace candor::core {

// The whole of the file at `path`, byte for byte. NotFound "<path>: cannot open" when it cannot
// be opened (absent, unreadable, a folder's name on some systems), DataLoss "<path>: cannot read"
// when reading it fails part way. For files that are read once and parsed whole (a model's
// metadata, a rules file); a large data file is read by line (libs/datafile).
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace candor::core
