#pragma once
// Reads a file whole, transparently decompressing gzip (MNIST-style datasets ship as .gz). Lives
// in app/ so that core/ keeps to Eigen and oneTBB.
#include <string>

namespace convexnn::cli {

// Throws InputError naming the file when it cannot be opened or the stream is corrupt.
std::string read_file_decompressing(const std::string& path);

}  // namespace convexnn::cli
