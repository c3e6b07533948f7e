// Unit tests of the AXI4 memory model (axi_mem.h), without Verilator.
// Build and run: g++ -std=c++17 -O1 -I. test_axi_mem.cpp -o test_axi_mem && ./test_axi_mem
// Prints one line per failed check and "ok N checks" at the end; exit code 1 on any failure.
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "axi_mem.h"

using namespace hwgen;

static int g_checks = 0;
static int g_failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        g_checks++;                                                                  \
        if (!(cond)) {                                                               \
            g_failures++;                                                            \
            std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                            \
    } while (0)

// A tiny scripted AXI master driving the model cycle by cycle.
struct Master {
    AxiMem& mem;
    AxiMasterPins pins;
    uint64_t cycles = 0;

    explicit Master(AxiMem& m) : mem(m) {}

    void tick(const std::function<void(const AxiSlavePins&)>& sample = nullptr) {
        mem.drive();
        if (sample) sample(mem.out());
        mem.step(pins);
        cycles++;
    }

    // Reads a burst; returns the data bytes of every beat and the responses.
    std::vector<uint8_t> read(uint64_t addr, uint32_t beats, uint32_t size, std::vector<uint32_t>* resps,
                              uint64_t* first_beat_cycle = nullptr, bool rready_always = true) {
        std::vector<uint8_t> data;
        pins.arvalid = true;
        pins.ar = {1, addr, beats - 1, size, kBurstIncr};
        pins.rready = rready_always;
        const uint64_t start = cycles;
        bool ar_done = false;
        uint32_t got = 0;
        while (got < beats && cycles < start + 10000) {
            bool ar_hs = false;
            tick([&](const AxiSlavePins& s) {
                ar_hs = pins.arvalid && s.arready;
                if (s.rvalid && pins.rready) {
                    if (got == 0 && first_beat_cycle) *first_beat_cycle = cycles - start;
                    for (int i = 0; i < 16; i++) data.push_back(s.rdata[i]);
                    if (resps) resps->push_back(s.rresp);
                    CHECK(s.rlast == (got + 1 == beats));
                    got++;
                }
            });
            if (ar_hs) {
                ar_done = true;
                pins.arvalid = false;
            }
        }
        CHECK(ar_done);
        CHECK(got == beats);
        return data;
    }

    // Writes a burst of `beats` beats of 16 bytes with the given strobes; returns BRESP.
    uint32_t write(uint64_t addr, uint32_t beats, const std::vector<uint8_t>& data, const std::vector<uint8_t>& strb,
                   uint32_t size = 4) {
        pins.awvalid = true;
        pins.aw = {2, addr, beats - 1, size, kBurstIncr};
        pins.bready = true;
        uint32_t sent = 0;
        uint32_t bresp = 99;
        bool b_done = false;
        const uint64_t start = cycles;
        auto load_beat = [&]() {
            pins.wvalid = sent < beats;
            if (!pins.wvalid) return;
            std::memcpy(pins.wdata, &data[sent * 16], 16);
            std::memcpy(pins.wstrb, &strb[sent * 16], 16);
            pins.wlast = sent + 1 == beats;
        };
        load_beat();
        while (!b_done && cycles < start + 10000) {
            bool aw_hs = false, w_hs = false;
            tick([&](const AxiSlavePins& s) {
                aw_hs = pins.awvalid && s.awready;
                w_hs = pins.wvalid && s.wready;
                if (s.bvalid && pins.bready) {
                    bresp = s.bresp;
                    b_done = true;
                }
            });
            if (aw_hs) pins.awvalid = false;
            if (w_hs) {
                sent++;
                load_beat();
            }
        }
        CHECK(b_done);
        return bresp;
    }
};

static AxiMemConfig base_config() {
    AxiMemConfig c;
    c.size = 8192;
    c.data_bytes = 16;
    return c;
}

static void fill(AxiMem& m) {
    for (size_t i = 0; i < m.memory().size(); i++) m.memory()[i] = static_cast<uint8_t>(i * 7 + 3);
}

static void test_incr_read_returns_memory() {
    AxiMem mem(base_config());
    fill(mem);
    Master m(mem);
    std::vector<uint32_t> resps;
    auto data = m.read(0x100, 4, 4, &resps);
    for (int i = 0; i < 64; i++) CHECK(data[i] == mem.memory()[0x100 + i]);
    for (auto r : resps) CHECK(r == kRespOkay);
    CHECK(mem.violation_count() == 0);
}

static void test_read_latency_is_respected() {
    for (int lat : {1, 5, 20}) {
        AxiMemConfig c = base_config();
        c.read_latency = lat;
        AxiMem mem(c);
        Master m(mem);
        uint64_t first = 0;
        std::vector<uint32_t> resps;
        m.read(0x40, 1, 4, &resps, &first);
        // AR handshake in cycle 0, first beat no earlier than cycle `lat`.
        CHECK(first == static_cast<uint64_t>(lat));
    }
}

static void test_read_beyond_memory_is_decerr() {
    AxiMem mem(base_config());
    Master m(mem);
    std::vector<uint32_t> resps;
    m.read(8192 - 32, 4, 4, &resps);
    CHECK(resps.size() == 4);
    CHECK(resps[0] == kRespOkay);
    CHECK(resps[1] == kRespOkay);
    CHECK(resps[2] == kRespDecErr);
    CHECK(resps[3] == kRespDecErr);
    CHECK(mem.stats().read_errors == 1);
}

static void test_slverr_range_is_injected() {
    AxiMemConfig c = base_config();
    c.slverr = true;
    c.slverr_lo = 0x200;
    c.slverr_hi = 0x210;
    AxiMem mem(c);
    Master m(mem);
    std::vector<uint32_t> resps;
    m.read(0x1f0, 3, 4, &resps);
    CHECK(resps[0] == kRespOkay);
    CHECK(resps[1] == kRespSlvErr);
    CHECK(resps[2] == kRespOkay);
    std::vector<uint8_t> data(16, 0x55), strb(16, 1);
    CHECK(m.write(0x200, 1, data, strb) == kRespSlvErr);
    CHECK(mem.memory()[0x200] == 0);
}

static void test_slverr_range_can_be_limited_to_reads_or_writes() {
    for (int writes_only = 0; writes_only < 2; writes_only++) {
        AxiMemConfig c = base_config();
        c.slverr = true;
        c.slverr_lo = 0x200;
        c.slverr_hi = 0x210;
        c.slverr_reads = !writes_only;
        c.slverr_writes = writes_only;
        AxiMem mem(c);
        Master m(mem);
        std::vector<uint32_t> resps;
        m.read(0x200, 1, 4, &resps);
        CHECK(resps[0] == (writes_only ? kRespOkay : kRespSlvErr));
        std::vector<uint8_t> data(16, 0x55), strb(16, 1);
        CHECK(m.write(0x200, 1, data, strb) == (writes_only ? kRespSlvErr : kRespOkay));
        CHECK(mem.memory()[0x200] == (writes_only ? 0 : 0x55));
    }
}

static void test_write_strobes_select_bytes() {
    AxiMem mem(base_config());
    Master m(mem);
    std::vector<uint8_t> data(32), strb(32, 0);
    for (int i = 0; i < 32; i++) data[i] = static_cast<uint8_t>(0xA0 + i);
    strb[3] = 1;
    strb[4] = 1;
    strb[16 + 15] = 1;
    CHECK(m.write(0x300, 2, data, strb) == kRespOkay);
    CHECK(mem.memory()[0x302] == 0);
    CHECK(mem.memory()[0x303] == 0xA3);
    CHECK(mem.memory()[0x304] == 0xA4);
    CHECK(mem.memory()[0x305] == 0);
    CHECK(mem.memory()[0x31F] == 0xA0 + 31);
    CHECK(mem.violation_count() == 0);
}

static void test_unaligned_write_uses_lanes_of_the_address() {
    AxiMem mem(base_config());
    Master m(mem);
    // Start at 0x405: beat 0 carries lanes 5..15, beat 1 the next aligned 16 bytes.
    std::vector<uint8_t> data(32), strb(32, 0);
    for (int i = 0; i < 32; i++) data[i] = static_cast<uint8_t>(i + 1);
    for (int i = 5; i < 32; i++) strb[i] = 1;
    CHECK(m.write(0x405, 2, data, strb) == kRespOkay);
    CHECK(mem.memory()[0x404] == 0);
    CHECK(mem.memory()[0x405] == 6);
    CHECK(mem.memory()[0x41F] == 32);
    CHECK(mem.violation_count() == 0);
}

static void test_write_beyond_memory_is_decerr_and_dropped() {
    AxiMem mem(base_config());
    Master m(mem);
    std::vector<uint8_t> data(16, 0x77), strb(16, 1);
    CHECK(m.write(8192, 1, data, strb) == kRespDecErr);
    CHECK(mem.stats().write_errors == 1);
}

static void test_4k_crossing_is_a_violation() {
    AxiMem mem(base_config());
    Master m(mem);
    std::vector<uint32_t> resps;
    m.read(0xFF0, 2, 4, &resps);
    CHECK(mem.violation_count() == 1);
}

static void test_wlast_mismatch_is_a_violation() {
    AxiMem mem(base_config());
    Master m(mem);
    m.pins.awvalid = true;
    m.pins.aw = {0, 0, 1, 4, kBurstIncr};
    m.pins.wvalid = true;
    m.pins.wlast = true;  // wrong: beat 0 of 2
    m.pins.wstrb[0] = 1;
    m.pins.bready = true;
    for (int i = 0; i < 6; i++) {
        bool aw = false;
        m.tick([&](const AxiSlavePins& s) { aw = m.pins.awvalid && s.awready; });
        if (aw) m.pins.awvalid = false;
    }
    CHECK(mem.violation_count() >= 1);
}

static void test_outstanding_reads_are_limited() {
    AxiMemConfig c = base_config();
    c.max_reads = 2;
    c.read_latency = 50;
    AxiMem mem(c);
    Master m(mem);
    m.pins.arvalid = true;
    m.pins.ar = {0, 0, 0, 4, kBurstIncr};
    m.pins.rready = false;
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
        m.pins.ar.addr = static_cast<uint64_t>(i) * 16;
        m.tick([&](const AxiSlavePins& s) { accepted += s.arready ? 1 : 0; });
    }
    CHECK(accepted == 2);
    CHECK(mem.reads_outstanding() == 2);
}

// Random backpressure and latency change timing, never data.
static void test_backpressure_keeps_data_and_valid_stable() {
    uint64_t cycles_plain = 0, cycles_random = 0;
    std::vector<uint8_t> plain, random;
    for (int pass = 0; pass < 2; pass++) {
        AxiMemConfig c = base_config();
        if (pass == 1) {
            c.seed = 42;
            c.stall_pct = 40;
            c.jitter = 7;
        }
        AxiMem mem(c);
        fill(mem);
        Master m(mem);
        std::vector<uint32_t> resps;
        auto d = m.read(0x800, 16, 4, &resps);
        std::vector<uint8_t> wd(64), st(64, 1);
        for (int i = 0; i < 64; i++) wd[i] = static_cast<uint8_t>(255 - i);
        CHECK(m.write(0x1000, 4, wd, st) == kRespOkay);
        d.insert(d.end(), mem.memory().begin() + 0x1000, mem.memory().begin() + 0x1040);
        (pass == 0 ? plain : random) = d;
        (pass == 0 ? cycles_plain : cycles_random) = m.cycles;
        CHECK(mem.violation_count() == 0);
    }
    CHECK(plain == random);
    CHECK(cycles_random > cycles_plain);

    // Once raised, RVALID stays high (with stable data) until RREADY.
    AxiMemConfig c = base_config();
    c.seed = 7;
    c.stall_pct = 50;
    AxiMem mem(c);
    fill(mem);
    Master m(mem);
    m.pins.arvalid = true;
    m.pins.ar = {0, 0, 7, 4, kBurstIncr};
    bool was_valid = false;
    uint8_t held[16] = {};
    bool stable = true;
    for (int i = 0; i < 200; i++) {
        m.pins.rready = (i % 3) == 0;
        bool ar = false;
        m.tick([&](const AxiSlavePins& s) {
            ar = m.pins.arvalid && s.arready;
            if (was_valid) {
                stable = stable && s.rvalid && std::memcmp(held, s.rdata, 16) == 0;
            }
            was_valid = s.rvalid && !m.pins.rready;
            std::memcpy(held, s.rdata, 16);
        });
        if (ar) m.pins.arvalid = false;
    }
    CHECK(stable);
}

int main() {
    test_incr_read_returns_memory();
    test_read_latency_is_respected();
    test_read_beyond_memory_is_decerr();
    test_slverr_range_is_injected();
    test_slverr_range_can_be_limited_to_reads_or_writes();
    test_write_strobes_select_bytes();
    test_unaligned_write_uses_lanes_of_the_address();
    test_write_beyond_memory_is_decerr_and_dropped();
    test_4k_crossing_is_a_violation();
    test_wlast_mismatch_is_a_violation();
    test_outstanding_reads_are_limited();
    test_backpressure_keeps_data_and_valid_stable();
    if (g_failures > 0) {
        std::printf("%d of %d checks failed\n", g_failures, g_checks);
        return 1;
    }
    std::printf("ok %d checks\n", g_checks);
    return 0;
}
