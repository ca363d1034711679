#pragma once

// Tests only: the gzip files that the readers of gzip-or-plain data are tested on. Header-only
// (needs gtest and zlib).

#include <zlib.h>

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace candor::datafile::testing {

// Writes `text` to `path` gzip-compressed, replacing the file. A fatal test failure naming the
// path when the file cannot be opened, written whole or closed: call it inside
// ASSERT_NO_FATAL_FAILURE to stop the test there.
inline void WriteGzip(const std::string& path, std::string_view text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  const int written = gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  const int closed = gzclose(f);
  ASSERT_EQ(written, static_cast<int>(text.size())) << path;
  ASSERT_EQ(closed, Z_OK) << path;
}

}  // namespace candor::datafile::testing
