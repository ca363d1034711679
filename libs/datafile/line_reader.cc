#include "libs/datafile/line_reader.h"

#include <zlib.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace candor::datafile {

absl::Status ForEachLine(
    const std::string& path,
    const std::function<absl::Status(int64_t line_number, std::string_view text)>& on_line) {
  // gzopen happily "opens" a directory; the first gzread would then fail with a less clear
  // message, so a path that is not a regular file is NotFound up front.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": not a readable file"));
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));

  std::vector<char> chunk(1 << 20);
  std::string pending;
  int64_t line_number = 0;
  absl::Status status;
  auto deliver = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    status = on_line(++line_number, line);
    return status.ok();
  };
  for (bool going = true; going;) {
    const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = Z_OK;
      const char* message = gzerror(file, &code);
      status = absl::DataLossError(
          absl::StrCat(path, ": read error: ", message != nullptr ? message : "unknown"));
      break;
    }
    if (n == 0) {
      // gzread returns 0 both at the end and after a truncated stream; only gzerror tells
      // them apart (Z_BUF_ERROR: the input ended inside a deflate block).
      int code = Z_OK;
      const char* message = gzerror(file, &code);
      if (code != Z_OK) {
        status = absl::DataLossError(
            absl::StrCat(path, ": read error: ", message != nullptr ? message : "unknown"));
      } else if (!pending.empty()) {
        deliver(pending);
      }
      break;
    }
    pending.append(chunk.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t end = pending.find('\n'); end != std::string::npos;
         end = pending.find('\n', start)) {
      if (!deliver(std::string_view(pending.data() + start, end - start))) {
        going = false;
        break;
      }
      start = end + 1;
    }
    pending.erase(0, start);
  }
  gzclose(file);
  return status;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(size);
}

}  // namespace candor::datafile
