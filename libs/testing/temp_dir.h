#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace candor::testing {

// A fresh directory under the system's temporary directory (`$TMPDIR`, else /tmp), created by
// the constructor and removed with everything in it by the destructor. Tests that write files
// (an index, a model, a replay file) hold one as a fixture member instead of calling mkdtemp and
// remove_all themselves:
//
//   TempDir dir_{"candor-indexer-test"};
//   ... Open(dir_.Path("index")) ...
//
// The constructor aborts naming the error when the directory cannot be made (a test cannot go on
// without it). Not copyable or movable: the object owns the directory.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "candor-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // `path() / name` as a string, for the many APIs that take one.
  std::string Path(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace candor::testing
