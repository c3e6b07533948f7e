// The AXI4-Lite master of the harness: single-beat register reads and writes through the clock loop.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim.h"

namespace hwgen {

class AxilDriver {
public:
    explicit AxilDriver(Sim& sim) : sim_(sim) {}

    // Writes one register; throws AxilTimeout when the port does not accept it or answer.
    void write(uint32_t addr, uint32_t data);
    // Reads one register; throws AxilTimeout when the port does not accept it or answer.
    uint32_t read(uint32_t addr);

private:
    static constexpr uint64_t kAxilTimeout = 10000;

    static std::string hex(uint32_t v) {
        char b[16];
        std::snprintf(b, sizeof b, "0x%03x", v);
        return b;
    }

    Sim& sim_;
};

}  // namespace hwgen
