// The result of one harness run and its JSON form (keys: see sim_main.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim.h"

namespace hwgen {

struct Result {
    std::string status = "timeout";
    std::string reason;
    uint64_t cycles = 0;
    uint32_t status_reg = 0, error_code = 0, error_pc = 0, hw_id = 0, hw_config = 0;
    uint32_t unit_status = 0, tokens = 0;
    bool irq = false;
    std::string stalled;
    std::vector<uint64_t> counters;
    double wall = 0;
};

// The result JSON, with the memory model's AXI statistics and protocol violations.
std::string to_json(const Result& r, Sim& sim);

// Writes len bytes to a file; throws IoError.
void write_file(const std::string& path, const uint8_t* data, uint64_t len);

}  // namespace hwgen
