#include "gzip_file.h"

#include <zlib.h>

#include <memory>

#include "convexnn/errors.h"

namespace convexnn::cli {

std::string read_file_decompressing(const std::string& path) {
  // gzread passes plain (uncompressed) files through unchanged, so one path serves both.
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw InputError(path + ": cannot open file");
  std::string contents;
  std::string buffer(1 << 20, '\0');
  while (true) {
    const int read = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (read < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      throw InputError(path + ": cannot decompress (" + std::string(message ? message : "error") +
                       ")");
    }
    if (read == 0) break;
    contents.append(buffer.data(), static_cast<std::size_t>(read));
  }
  return contents;
}

}  // namespace convexnn::cli
