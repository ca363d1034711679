#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace candor::datafile {

// Calls `on_line(line_number, text)` for every line of a gzip or plain text file (zlib's gzread
// reads both), in order. `line_number` counts from 1 and includes blank lines, so a caller can
// name "file:line" in its errors; `text` has no line end ("\n" or "\r\n") and is only valid
// during the call. A last line without a final newline is still delivered.
//
// `on_line` returns OK to go on; any other status stops the read and is returned as is.
// Errors: NotFound when the file cannot be opened, DataLoss on a corrupt or truncated gzip
// stream. Reads a megabyte at a time; memory use is bounded by the longest line.
absl::Status ForEachLine(
    const std::string& path,
    const std::function<absl::Status(int64_t line_number, std::string_view text)>& on_line);

// The file's size in bytes, or -1 when it cannot be read.
int64_t FileSize(const std::string& path);

}  // namespace candor::datafile
