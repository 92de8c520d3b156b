#pragma once
// Exceptions thrown by the core on bad input. Messages are complete sentences that name the
// offending file, line, column or option so that the CLI and GUI can show them verbatim.
#include <stdexcept>
#include <string>

namespace convexnn {

// Bad user input: a malformed file, an unknown dataset name, an invalid option value.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace convexnn
