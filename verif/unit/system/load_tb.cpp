// Standalone test of hwgen_load_unit: random loads (sp, sp_t, acc) with random byte
// alignment, strides and 4 KiB crossings against a C++ model, served by an AXI read
// slave with random latency and backpressure; then a throughput run (1-beat rows).
#include "Vhwgen_load_unit.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <vector>

#ifndef SPRB
#define SPRB 16
#endif
#ifndef NCOLS
#define NCOLS 16
#endif
#ifndef DWB
#define DWB 128
#endif
#ifndef SP_DEPTH
#define SP_DEPTH 16384
#endif
#ifndef ACC_DEPTH
#define ACC_DEPTH 2048
#endif
static const int BB = DWB / 8;

struct Write { int mem; uint32_t addr; std::vector<uint8_t> data; };
struct Beat { std::vector<uint8_t> d; bool last; };

static std::mt19937 rng(12345);
static int rnd(int n) { return (int)(rng() % (uint32_t)n); }

#include <type_traits>
template <typename T> static void setw(T &w, int lsb, int n, uint64_t v) {
    for (int i = 0; i < n; i++) {
        int b = lsb + i;
        if constexpr (std::is_integral<T>::value) {
            T m = (T)1 << b;
            if ((v >> i) & 1) w |= m; else w &= ~m;
        } else {
            uint32_t m = 1u << (b % 32);
            if ((v >> i) & 1) w[b / 32] |= m; else w[b / 32] &= ~m;
        }
    }
}
template <typename T> static uint8_t getb(const T &w, int byte) {
    if constexpr (std::is_integral<T>::value) return (uint8_t)(((uint64_t)w >> (byte * 8)) & 0xff);
    else return (w[byte / 4] >> ((byte % 4) * 8)) & 0xff;
}

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    const int MEMSZ = 1 << 20;
    std::vector<uint8_t> dram(MEMSZ);
    for (auto &b : dram) b = (uint8_t)rng();
    Vhwgen_load_unit *t = new Vhwgen_load_unit;

    struct Insn { int target, rows, cols; uint32_t local, addr, stride; bool push; uint32_t pc; };
    std::vector<Insn> prog;
    std::deque<Write> expect;
    int expected_push = 0;
    auto gen = [&](int n, bool perf) {
        for (int i = 0; i < n; i++) {
            Insn in{};
            in.pc = (uint32_t)prog.size();
            if (perf) {
                in.target = 0; in.rows = 1000; in.cols = SPRB < BB ? SPRB : BB; in.local = 0;
                in.addr = 0x1000; in.stride = BB; in.push = true;
            } else {
                in.target = rnd(3);
                int maxc = in.target == 2 ? NCOLS : SPRB;
                in.cols = 1 + rnd(maxc);
                if (rnd(3) == 0) in.cols = maxc;
                in.rows = in.target == 1 ? 1 + rnd(SPRB) : 1 + rnd(40);
                int eb = in.target == 2 ? 4 : 1;
                int span = in.target == 1 ? in.cols : in.rows;
                int depth = in.target == 2 ? ACC_DEPTH : SP_DEPTH;
                in.local = rnd(depth - span + 1);
                in.stride = in.cols * eb + rnd(3) * rnd(300);
                if (rnd(4) == 0) in.stride = rnd(5000);
                uint32_t need = (in.rows - 1) * in.stride + in.cols * eb;
                in.addr = rnd(MEMSZ - need - 64);
                if (rnd(3) == 0) in.addr = ((in.addr | 0xfff) + 1) - rnd(in.cols * eb + 1); // straddle a page
                if (in.addr + need >= (uint32_t)MEMSZ) in.addr = 100;
                in.push = rnd(2);
            }
            prog.push_back(in);
            int eb = in.target == 2 ? 4 : 1;
            if (in.target == 1) {
                for (int c = 0; c < in.cols; c++) {
                    Write w{0, in.local + c, std::vector<uint8_t>(SPRB, 0)};
                    for (int r = 0; r < in.rows; r++) w.data[r] = dram[in.addr + r * in.stride + c];
                    expect.push_back(w);
                }
            } else {
                for (int r = 0; r < in.rows; r++) {
                    Write w{in.target == 2 ? 1 : 0, in.local + r,
                            std::vector<uint8_t>(in.target == 2 ? NCOLS * 4 : SPRB, 0)};
                    for (int e = 0; e < in.cols * eb; e++) w.data[e] = dram[in.addr + r * in.stride + e];
                    expect.push_back(w);
                }
            }
            if (in.push) expected_push++;
        }
    };
    bool perf = argc > 1 && std::string(argv[1]) == "perf";
    gen(perf ? 1 : 400, perf);

    // AXI slave state
    struct Ar { uint32_t addr; int len; int ready_at; };
    std::deque<Ar> ars;
    std::deque<Beat> beats;
    uint64_t cyc = 0;
    size_t next_insn = 0;
    int pushes = 0, errors = 0;
    uint64_t first_write = 0, last_write = 0;
    int bp_ar = perf ? 0 : 30, bp_r = perf ? 0 : 30, bp_acc = perf ? 0 : 25, lat = perf ? 2 : 20;

    t->rst = 1; t->clk = 0; t->eval(); t->clk = 1; t->eval(); t->rst = 0;
    t->clear = 0; t->halt = 0; t->tok_pop_avail = 0;
    while (cyc < 2000000) {
        t->clk = 0; t->eval();
        // drive inputs
        t->s_insn_valid = next_insn < prog.size();
        if (next_insn < prog.size()) {
            const Insn &in = prog[next_insn];
            for (int i = 0; i < 5; i++) t->s_insn_data[i] = 0;
            setw(t->s_insn_data, 0, 8, 1);
            setw(t->s_insn_data, 11, 1, in.push);
            setw(t->s_insn_data, 12, 2, in.target);
            setw(t->s_insn_data, 16, 16, in.rows);
            setw(t->s_insn_data, 32, 8, in.cols);
            setw(t->s_insn_data, 40, 24, in.local);
            setw(t->s_insn_data, 64, 32, in.addr);
            setw(t->s_insn_data, 96, 32, in.stride);
            setw(t->s_insn_data, 128, 32, in.pc);
        }
        t->m_axi_arready = rnd(100) >= bp_ar;
        bool rv = !beats.empty() && rnd(100) >= bp_r;
        t->m_axi_rvalid = rv;
        if (rv) {
            for (int i = 0; i < BB; i++) setw(t->m_axi_rdata, i * 8, 8, beats.front().d[i]);
            t->m_axi_rlast = beats.front().last;
        }
        t->m_axi_rresp = 0;
        t->acc_wr_ready = rnd(100) >= bp_acc;
        t->eval();
        // sample
        bool insn_fire = t->s_insn_valid && t->s_insn_ready;
        bool ar_fire = t->m_axi_arvalid && t->m_axi_arready;
        bool r_fire = t->m_axi_rvalid && t->m_axi_rready;
        if (ar_fire) {
            uint32_t a = t->m_axi_araddr; int len = t->m_axi_arlen + 1;
            if (a % BB) { printf("ERROR unaligned AR %x\n", a); errors++; }
            if ((a >> 12) != ((a + len * BB - 1) >> 12)) { printf("ERROR AR crosses 4K %x len %d\n", a, len); errors++; }
            ars.push_back({a, len, (int)cyc + lat + (perf ? 0 : rnd(lat + 1))});
        }
        auto check_write = [&](int mem, uint32_t addr, auto &data) {
            if (expect.empty()) { printf("ERROR unexpected write\n"); errors++; return; }
            Write &w = expect.front();
            bool ok = w.mem == mem && w.addr == addr;
            for (size_t i = 0; i < w.data.size() && ok; i++) ok = getb(data, i) == w.data[i];
            if (!ok && errors < 10) {
                printf("ERROR write #%zu mem %d addr %u (exp mem %d addr %u)\n", expect.size(), mem, addr, w.mem, w.addr);
                for (size_t i = 0; i < w.data.size(); i++) printf("%02x/%02x ", getb(data, i), w.data[i]);
                printf("\n");
            }
            if (!ok) errors++;
            expect.pop_front();
            if (!first_write) first_write = cyc;
            last_write = cyc;
        };
        if (t->sp_wr_en) check_write(0, t->sp_wr_addr, t->sp_wr_data);
        if (t->acc_wr_en && t->acc_wr_ready) check_write(1, t->acc_wr_addr, t->acc_wr_data);
        if (t->tok_push) pushes++;
        t->clk = 1; t->eval();
        cyc++;
        if (insn_fire) next_insn++;
        if (r_fire) beats.pop_front();
        while (!ars.empty() && ars.front().ready_at <= (int)cyc) {
            Ar a = ars.front(); ars.pop_front();
            for (int i = 0; i < a.len; i++) {
                Beat b; b.d.assign(dram.begin() + a.addr + i * BB, dram.begin() + a.addr + (i + 1) * BB);
                b.last = i == a.len - 1;
                beats.push_back(b);
            }
        }
        if (next_insn == prog.size() && expect.empty() && t->idle) break;
    }
    if (!expect.empty()) { printf("ERROR %zu writes missing (timeout)\n", expect.size()); errors++; }
    if (pushes != expected_push) { printf("ERROR pushes %d expected %d\n", pushes, expected_push); errors++; }
    if (perf) printf("PERF load: %d rows in %lu cycles from first to last write: %.3f rows/cycle\n", prog[0].rows,
                     (unsigned long)(last_write - first_write + 1), (double)prog[0].rows / (last_write - first_write + 1));
    printf("%s: load unit %zu instructions, %lu cycles, %d errors\n", errors ? "FAIL" : "PASS", prog.size(),
           (unsigned long)cyc, errors);
    delete t;
    return errors ? 1 : 0;
}
