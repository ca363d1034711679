// The main of a fuzz target in the gcc presets: runs LLVMFuzzerTestOneInput once over every file
// of the directories (or files) named on the command line, so the committed seed corpus and every
// kept crash case run as a regression test in each build (fuzz/README.md). A failing input
// aborts inside the target; the line printed before it names the file.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional, as in libFuzzer: a target that needs one-time setup defines it.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

std::vector<std::filesystem::path> InputsOf(const std::filesystem::path& arg) {
  std::vector<std::filesystem::path> out;
  if (std::filesystem::is_directory(arg)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
      if (entry.is_regular_file()) out.push_back(entry.path());
    }
    // Directory order is the file system's; sorted, a run is the same everywhere.
    std::sort(out.begin(), out.end());
  } else {
    out.push_back(arg);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::filesystem::exists(argv[i])) {
      std::fprintf(stderr, "%s: no such corpus: %s\n", argv[0], argv[i]);
      return 2;
    }
    for (const auto& path : InputsOf(argv[i])) {
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
        return 2;
      }
      std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
      // A heap copy of exactly the input's size, as libFuzzer passes it, so that AddressSanitizer
      // sees a read one past the end.
      auto* copy = static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
      if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
      LLVMFuzzerTestOneInput(copy, bytes.size());
      std::free(copy);
      ++runs;
    }
  }
  if (runs == 0) {
    std::fprintf(stderr, "%s: the corpus is empty\n", argv[0]);
    return 2;
  }
  std::fprintf(stderr, "%zu inputs ran clean\n", runs);
  return 0;
}
