// Errors of the Verilator harness, each mapped to an exit code by main (sim_main.cpp).
#pragma once
#include <stdexcept>

namespace hwgen {

// A bad command line (exit code 2).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A file could not be read or written (exit code 3).
struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// The AXI4-Lite port did not respond (exit code 4).
struct AxilTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace hwgen
