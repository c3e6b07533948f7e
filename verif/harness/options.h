// Command-line options of the harness (the option list is in sim_main.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "axi_mem.h"

namespace hwgen {

struct Dump {
    uint64_t addr = 0;
    uint64_t len = 0;
    std::string file;
};

struct Options {
    std::string image;
    uint64_t mem_size = 0;
    uint64_t prog_addr = 0;
    uint64_t prog_len = 0;
    bool have_prog_addr = false;
    bool have_prog_len = false;
    uint64_t max_cycles = 50000000;
    uint64_t watchdog = 0;
    uint64_t poll = 0;
    AxiMemConfig mem;
    std::vector<Dump> dumps;
    std::string dump_all;
    std::string json;
    std::string trace;
    std::string profile;
};

// Parses argv; throws UsageError on a bad command line.
Options parse_args(int argc, char** argv);

}  // namespace hwgen
