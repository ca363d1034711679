#include "libs/testing/temp_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace candor::testing {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (fs::temp_directory_path() / prefix).string() + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "TempDir: cannot create %s: %s\n", tmpl.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a test's leftovers must not turn a pass into a crash
  fs::remove_all(path_, ignored);
}

std::string TempDir::Path(std::string_view name) const { return (path_ / name).string(); }

}  // namespace candor::testing
