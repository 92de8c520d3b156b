#pragma once
#include <string>

namespace convexnn {

// Writes `contents` to `path` by writing a temporary file in the same directory and renaming it
// over the target, so a crash or full disk never leaves a truncated file. Throws InputError naming
// the path on failure.
void write_file_atomically(const std::string& path, const std::string& contents);

// Reads a whole file; throws InputError naming the path if it cannot be read.
std::string read_file(const std::string& path);

}  // namespace convexnn
