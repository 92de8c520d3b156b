#include "convexnn/atomic_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "convexnn/errors.h"

namespace convexnn {

void write_file_atomically(const std::string& path, const std::string& contents) {
  // Same directory as the target so that the rename stays on one file system (and is atomic);
  // the process id keeps two programs writing the same path from sharing a temporary file.
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const auto discard_temporary = [&temporary] {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
  };
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path + ": cannot open '" + temporary + "' for writing");
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.flush();
  out.close();  // errors such as a full disk may only show up when the buffer is flushed
  if (out.fail()) {
    discard_temporary();
    throw InputError(path + ": writing the file failed (is the disk full?)");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    discard_temporary();
    throw InputError(path + ": cannot replace the file (" + error.message() + ")");
  }
}

std::string read_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError(path + ": is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file");
  std::string contents{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError(path + ": reading the file failed");
  return contents;
}

}  // namespace convexnn
