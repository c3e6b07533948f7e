// Standalone test of hwgen_store_unit (+ hwgen_requant): random config_store (multiplier
// 0..2^31-1, shift 0..62, relu) and stores with random alignment/stride/4 KiB crossings,
// accumulator read port with random bank conflicts, AXI write slave with random
// backpressure and B latency; the DRAM image is compared with a C++ model of
// docs/numerics.md. Then a throughput run (1-beat rows).
#include "Vhwgen_store_unit.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#ifndef NCOLS
#define NCOLS 16
#endif
#ifndef DWB
#define DWB 128
#endif
#ifndef ACC_DEPTH
#define ACC_DEPTH 2048
#endif
static const int BB = DWB / 8;
static std::mt19937 rng(777);
static int rnd(int n) { return (int)(rng() % (uint32_t)n); }

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
template <typename T> static uint64_t getbits(const T &w, int lsb, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        int b = lsb + i;
        uint64_t bit;
        if constexpr (std::is_integral<T>::value) bit = ((uint64_t)w >> b) & 1;
        else bit = (w[b / 32] >> (b % 32)) & 1;
        v |= bit << i;
    }
    return v;
}

static int8_t requant(int32_t acc, uint32_t mult, int shift, bool relu) {
    __int128 p = (__int128)(int64_t)acc * (int64_t)mult;
    __int128 r = shift == 0 ? p : (p + ((__int128)1 << (shift - 1))) >> shift;
    __int128 lo = relu ? 0 : -128;
    if (r > 127) r = 127;
    if (r < lo) r = lo;
    return (int8_t)r;
}

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    bool perf = argc > 1 && std::string(argv[1]) == "perf";
    const int MEMSZ = 1 << 20;
    std::vector<uint8_t> dram(MEMSZ), model(MEMSZ);
    for (auto &b : dram) b = (uint8_t)rng();
    model = dram;
    std::vector<int32_t> acc((size_t)ACC_DEPTH * NCOLS);
    for (auto &a : acc) {
        int k = rnd(4);
        a = k == 0 ? (int32_t)rng() : k == 1 ? rnd(2001) - 1000 : k == 2 ? (int32_t)(rng() % 200000) - 100000 : (rnd(2) ? INT32_MIN : INT32_MAX);
    }

    struct Insn { bool cfg; uint32_t mult; int shift; bool relu; int rows, cols; uint32_t local, addr, stride; bool push; uint32_t pc; };
    std::vector<Insn> prog;
    int expected_push = 0;
    uint32_t mult = 1; int shift = 0; bool relu = false;
    int nins = perf ? 1 : 500;
    for (int i = 0; i < nins; i++) {
        Insn in{};
        in.pc = i;
        in.push = rnd(2);
        if (!perf && rnd(3) == 0) {
            in.cfg = true;
            int k = rnd(5);
            in.mult = k == 0 ? 0 : k == 1 ? 0x7fffffffu : k == 2 ? 1 : (uint32_t)(rng() & 0x7fffffff);
            k = rnd(5);
            in.shift = k == 0 ? 0 : k == 1 ? 62 : rnd(63);
            in.relu = rnd(2);
            mult = in.mult; shift = in.shift; relu = in.relu;
        } else {
            in.cfg = false;
            if (perf) { in.rows = ACC_DEPTH < 1000 ? ACC_DEPTH : 1000; in.cols = NCOLS < BB ? NCOLS : BB; in.local = 0; in.addr = 0x2000; in.stride = BB; }
            else {
                in.cols = 1 + rnd(NCOLS);
                if (rnd(3) == 0) in.cols = NCOLS;
                in.rows = 1 + rnd(30);
                in.local = rnd(ACC_DEPTH - in.rows + 1);
                in.stride = in.cols + rnd(3) * rnd(200);
                if (rnd(5) == 0) in.stride = rnd(3000);
                uint32_t need = (in.rows - 1) * in.stride + in.cols;
                in.addr = rnd(MEMSZ - need - 64);
                if (rnd(3) == 0) in.addr = ((in.addr | 0xfff) + 1) - rnd(in.cols + 1);
                if (in.addr + need >= (uint32_t)MEMSZ) in.addr = 64;
            }
            for (int r = 0; r < in.rows; r++)
                for (int e = 0; e < in.cols; e++)
                    model[in.addr + r * in.stride + e] =
                        (uint8_t)requant(acc[(size_t)(in.local + r) * NCOLS + e], mult, shift, relu);
        }
        if (in.push) expected_push++;
        prog.push_back(in);
    }

    Vhwgen_store_unit *t = new Vhwgen_store_unit;
    struct Aw { uint32_t addr; int len; };
    std::deque<Aw> aws;
    std::deque<int> bq; // cycle when B may be sent
    int wbeat = 0;
    size_t next = 0;
    int pushes = 0, errors = 0;
    uint64_t cyc = 0, first_w = 0, last_w = 0;
    int rd_pending = -1;
    int bp_rd = perf ? 0 : 25, bp_aw = perf ? 0 : 30, bp_w = perf ? 0 : 30, blat = perf ? 2 : 15;
    t->rst = 1; t->clk = 0; t->eval(); t->clk = 1; t->eval(); t->rst = 0;
    t->clear = 0; t->halt = 0; t->tok_pop_avail = 0;
    while (cyc < 3000000) {
        t->clk = 0; t->eval();
        t->s_insn_valid = next < prog.size();
        if (next < prog.size()) {
            const Insn &in = prog[next];
            for (int i = 0; i < 5; i++) t->s_insn_data[i] = 0;
            setw(t->s_insn_data, 0, 8, in.cfg ? 3 : 2);
            setw(t->s_insn_data, 10, 1, in.push);
            if (in.cfg) {
                setw(t->s_insn_data, 12, 1, in.relu);
                setw(t->s_insn_data, 16, 6, in.shift);
                setw(t->s_insn_data, 32, 32, in.mult);
            } else {
                setw(t->s_insn_data, 16, 16, in.rows);
                setw(t->s_insn_data, 32, 8, in.cols);
                setw(t->s_insn_data, 40, 24, in.local);
                setw(t->s_insn_data, 64, 32, in.addr);
                setw(t->s_insn_data, 96, 32, in.stride);
            }
            setw(t->s_insn_data, 128, 32, in.pc);
        }
        if (rd_pending >= 0) {
            for (int e = 0; e < NCOLS; e++) setw(t->acc_rd_data, e * 32, 32, (uint32_t)acc[(size_t)rd_pending * NCOLS + e]);
        }
        t->acc_rd_ready = rnd(100) >= bp_rd;
        t->m_axi_awready = rnd(100) >= bp_aw;
        t->m_axi_wready = !aws.empty() && rnd(100) >= bp_w;  // slave takes W only after its AW
        bool bv = !bq.empty() && bq.front() <= (int)cyc;
        t->m_axi_bvalid = bv;
        t->m_axi_bresp = 0;
        t->eval();
        bool ins_fire = t->s_insn_valid && t->s_insn_ready;
        bool rd_fire = t->acc_rd_en && t->acc_rd_ready;
        int rd_addr = t->acc_rd_addr;
        if (t->m_axi_awvalid && t->m_axi_awready) {
            uint32_t a = t->m_axi_awaddr; int len = t->m_axi_awlen + 1;
            if (a % BB) { printf("ERROR unaligned AW\n"); errors++; }
            if ((a >> 12) != ((a + len * BB - 1) >> 12)) { printf("ERROR AW crosses 4K\n"); errors++; }
            aws.push_back({a, len});
        }
        if (t->m_axi_wvalid && t->m_axi_wready) {
            Aw &a = aws.front();
            uint32_t base = a.addr + wbeat * BB;
            for (int i = 0; i < BB; i++)
                if (getbits(t->m_axi_wstrb, i, 1)) dram[base + i] = (uint8_t)getbits(t->m_axi_wdata, i * 8, 8);
            bool last = wbeat == a.len - 1;
            if (last != (bool)t->m_axi_wlast) { printf("ERROR wlast mismatch\n"); errors++; }
            if (!first_w) first_w = cyc;
            last_w = cyc;
            if (last) { aws.pop_front(); wbeat = 0; bq.push_back((int)cyc + blat); } else wbeat++;
        }
        if (bv && t->m_axi_bready) bq.pop_front();
        if (t->tok_push) pushes++;
        t->clk = 1; t->eval();
        cyc++;
        rd_pending = rd_fire ? rd_addr : rd_pending;
        if (ins_fire) next++;
        if (next == prog.size() && t->idle && cyc > 10) break;
    }
    size_t bad = 0;
    for (int i = 0; i < MEMSZ; i++)
        if (dram[i] != model[i]) { if (bad < 8) printf("ERROR byte %x got %02x exp %02x\n", i, dram[i], model[i]); bad++; }
    errors += (int)bad;
    if (pushes != expected_push) { printf("ERROR pushes %d expected %d\n", pushes, expected_push); errors++; }
    if (perf) printf("PERF store: %d rows, %lu cycles first to last W beat: %.3f rows/cycle\n", prog[0].rows,
                     (unsigned long)(last_w - first_w + 1), (double)prog[0].rows / (last_w - first_w + 1));
    printf("%s: store unit %zu instructions, %lu cycles, %d errors\n", errors ? "FAIL" : "PASS", prog.size(), (unsigned long)cyc, errors);
    delete t;
    return errors ? 1 : 0;
}
