// System smoke test of hwgen_top with the real fetch/load/store path: AXI4 memory with
// random latency and backpressure, AXI4-Lite driver. Checks DONE/irq, a load->store
// round trip through the accumulator, precise dispatch faults (ERR_CODE/ERR_PC),
// DMA read/write and fetch errors, HW_ID and SLVERR on unmapped registers.
// Compute instructions are not used (any execute unit will do).
#include "Vhwgen_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <type_traits>
#include <vector>

#ifndef DWB
#define DWB 128
#endif
#ifndef NCOLS
#define NCOLS 16
#endif
static const int BB = DWB / 8;
static const uint32_t ERR_BASE = 0xF0000;  // reads/writes at or above fail with SLVERR
static std::mt19937 rng(99);
static int rnd(int n) { return (int)(rng() % (uint32_t)n); }

template <typename T> static void setb(T &w, int byte, uint8_t v) {
    if constexpr (std::is_integral<T>::value) { w &= ~((T)0xff << (byte * 8)); w |= (T)v << (byte * 8); }
    else { w[byte / 4] &= ~(0xffu << ((byte % 4) * 8)); w[byte / 4] |= (uint32_t)v << ((byte % 4) * 8); }
}
template <typename T> static uint8_t getb(const T &w, int byte) {
    if constexpr (std::is_integral<T>::value) return (uint8_t)((uint64_t)w >> (byte * 8));
    else return (uint8_t)(w[byte / 4] >> ((byte % 4) * 8));
}
template <typename T> static bool getbit(const T &w, int bit) {
    if constexpr (std::is_integral<T>::value) return ((uint64_t)w >> bit) & 1;
    else return (w[bit / 32] >> (bit % 32)) & 1;
}

struct Sys {
    Vhwgen_top *t = new Vhwgen_top;
    std::vector<uint8_t> mem = std::vector<uint8_t>(1 << 20);
    struct Beat { int id; uint32_t addr; bool last, err; };
    std::deque<std::pair<int, Beat>> rq;  // (ready cycle, beat)
    struct Aw { uint32_t addr; int len; int id; };
    std::deque<Aw> aws;
    std::deque<std::pair<int, std::pair<int, bool>>> bq;
    int wbeat = 0; bool werr = false;
    uint64_t cyc = 0;
    int bp = 20;
    void tick() {
        t->clk = 0; t->eval();
        t->m_axi_arready = rnd(100) >= bp;
        t->m_axi_awready = rnd(100) >= bp;
        t->m_axi_wready = !aws.empty() && rnd(100) >= bp;
        bool rv = !rq.empty() && rq.front().first <= (int)cyc && rnd(100) >= bp;
        t->m_axi_rvalid = rv;
        if (rv) {
            Beat &b = rq.front().second;
            t->m_axi_rid = b.id; t->m_axi_rlast = b.last; t->m_axi_rresp = b.err ? 2 : 0;
            for (int i = 0; i < BB; i++) setb(t->m_axi_rdata, i, b.err ? 0xee : mem[b.addr + i]);
        }
        bool bv = !bq.empty() && bq.front().first <= (int)cyc;
        t->m_axi_bvalid = bv;
        if (bv) { t->m_axi_bid = bq.front().second.first; t->m_axi_bresp = bq.front().second.second ? 2 : 0; }
        t->eval();
        if (t->m_axi_arvalid && t->m_axi_arready) {
            uint32_t a = t->m_axi_araddr; int len = t->m_axi_arlen + 1; int lat = 3 + rnd(10);
            for (int i = 0; i < len; i++)
                rq.push_back({(int)cyc + lat, Beat{(int)t->m_axi_arid, a + i * BB, i == len - 1, a + i * BB >= ERR_BASE}});
        }
        if (t->m_axi_awvalid && t->m_axi_awready) aws.push_back({t->m_axi_awaddr, t->m_axi_awlen + 1, (int)t->m_axi_awid});
        if (t->m_axi_wvalid && t->m_axi_wready) {
            Aw &a = aws.front();
            uint32_t base = a.addr + wbeat * BB;
            if (base >= ERR_BASE) werr = true;
            else for (int i = 0; i < BB; i++) if (getbit(t->m_axi_wstrb, i)) mem[base + i] = getb(t->m_axi_wdata, i);
            if (++wbeat == a.len) { bq.push_back({(int)cyc + 2 + rnd(8), {a.id, werr}}); aws.pop_front(); wbeat = 0; werr = false; }
        }
        if (rv && t->m_axi_rready) rq.pop_front();
        if (bv && t->m_axi_bready) bq.pop_front();
        t->clk = 1; t->eval();
        cyc++;
    }
    uint32_t rd(uint32_t a, int *resp = nullptr) {
        t->s_axil_araddr = a; t->s_axil_arvalid = 1; t->s_axil_rready = 1;
        for (int i = 0; i < 100; i++) {
            t->clk = 0; t->eval();
            bool arf = t->s_axil_arvalid && t->s_axil_arready;
            bool rf = t->s_axil_rvalid;
            uint32_t d = t->s_axil_rdata; int r = t->s_axil_rresp;
            tick();
            if (arf) t->s_axil_arvalid = 0;
            if (rf) { if (resp) *resp = r; return d; }
        }
        printf("ERROR axil read timeout\n"); return 0;
    }
    int wr(uint32_t a, uint32_t d) {
        t->s_axil_awaddr = a; t->s_axil_awvalid = 1; t->s_axil_wdata = d; t->s_axil_wstrb = 0xf; t->s_axil_wvalid = 1;
        t->s_axil_bready = 1;
        for (int i = 0; i < 100; i++) {
            t->clk = 0; t->eval();
            bool awf = t->s_axil_awvalid && t->s_axil_awready, wf = t->s_axil_wvalid && t->s_axil_wready;
            bool bf = t->s_axil_bvalid; int r = t->s_axil_bresp;
            tick();
            if (awf) t->s_axil_awvalid = 0;
            if (wf) t->s_axil_wvalid = 0;
            if (bf) return r;
        }
        printf("ERROR axil write timeout\n"); return -1;
    }
};

struct Ins { uint32_t w[4] = {0, 0, 0, 0}; void f(int lsb, int n, uint64_t v) {
    for (int i = 0; i < n; i++) { int b = lsb + i; if ((v >> i) & 1) w[b / 32] |= 1u << (b % 32); else w[b / 32] &= ~(1u << (b % 32)); } } };
static Ins load(int target, int rows, int cols, uint32_t local, uint32_t addr, uint32_t stride) {
    Ins i; i.f(0, 8, 1); i.f(12, 2, target); i.f(16, 16, rows); i.f(32, 8, cols); i.f(40, 24, local); i.f(64, 32, addr); i.f(96, 32, stride); return i; }
static Ins store(int rows, int cols, uint32_t local, uint32_t addr, uint32_t stride) {
    Ins i; i.f(0, 8, 2); i.f(16, 16, rows); i.f(32, 8, cols); i.f(40, 24, local); i.f(64, 32, addr); i.f(96, 32, stride); return i; }
static Ins config(uint32_t mult, int shift, int relu) { Ins i; i.f(0, 8, 3); i.f(12, 1, relu); i.f(16, 6, shift); i.f(32, 32, mult); return i; }

static int errors = 0;
#define CHECK(c, ...) do { if (!(c)) { printf("ERROR: " __VA_ARGS__); printf("\n"); errors++; } } while (0)

static uint32_t run(Sys &s, const std::vector<Ins> &p, uint32_t at, int *cycles) {
    for (size_t k = 0; k < p.size(); k++)
        for (int j = 0; j < 16; j++) s.mem[at + k * 16 + j] = (uint8_t)(p[k].w[j / 4] >> ((j % 4) * 8));
    s.wr(0x10, at); s.wr(0x14, (uint32_t)p.size());
    uint64_t c0 = s.cyc;
    s.wr(0x00, 3);
    uint32_t st = 0;
    for (int i = 0; i < 20000; i++) { st = s.rd(0x04); if (st & 6) break; }
    *cycles = (int)(s.cyc - c0);
    return st;
}

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    Sys s;
    for (auto &b : s.mem) b = (uint8_t)rng();
    s.t->rst = 1; for (int i = 0; i < 4; i++) s.tick(); s.t->rst = 0;
    int resp = -1, cyc = 0;
    CHECK(s.rd(0x18) == 0x48574731, "HW_ID");
    s.rd(0x7f0, &resp); CHECK(resp == 2, "unmapped read must be SLVERR, got %d", resp);
    CHECK(s.wr(0x18, 1) == 2, "write to HW_ID must be SLVERR");

    // 1. load acc rows (int32) then store them requantized (mult 3, shift 2)
    const uint32_t SRC = 0x10003, DST = 0x20ff5;  // odd alignment, DST straddles a page
    const int ROWS = 20;
    for (int r = 0; r < ROWS; r++) for (int e = 0; e < NCOLS; e++) {
        int32_t v = rnd(2000) - 1000;
        for (int b = 0; b < 4; b++) s.mem[SRC + r * 100 + e * 4 + b] = (uint8_t)(v >> (8 * b));
    }
    std::vector<Ins> p = {config(3, 2, 0), load(2, ROWS, NCOLS, 5, SRC, 100), store(ROWS, NCOLS, 5, DST, 37)};
    p[1].f(11, 1, 1);  // load push_next ... and the store pops EX->ST? no execute: keep tokens off
    p[1].f(11, 1, 0);
    uint32_t st = run(s, p, 0x8000, &cyc);
    CHECK((st & 7) == 2, "program 1 status %x", st);
    CHECK(s.t->irq == 1, "irq");
    // The store read the accumulator after the load (tokens off: only safe because the
    // store unit has to wait for nothing; check results anyway via a second run).
    p = {config(3, 2, 0), store(ROWS, NCOLS, 5, DST, 37)};
    st = run(s, p, 0x8000, &cyc);
    for (int r = 0; r < ROWS; r++) for (int e = 0; e < NCOLS; e++) {
        int32_t v = 0; for (int b = 0; b < 4; b++) v |= (int32_t)s.mem[SRC + r * 100 + e * 4 + b] << (8 * b);
        int64_t q = ((int64_t)v * 3 + 2) >> 2; if (q > 127) q = 127; if (q < -128) q = -128;
        CHECK((int8_t)s.mem[DST + r * 37 + e] == q, "row %d elem %d got %d exp %d", r, e, (int8_t)s.mem[DST + r * 37 + e], (int)q);
    }
    CHECK(s.rd(0x100 + 8 * 1) == 2, "instructions counter %u", s.rd(0x108));
    CHECK(s.rd(0x100 + 8 * 11) == (uint32_t)(ROWS * NCOLS), "dma_write_bytes %u", s.rd(0x158));
    CHECK(s.rd(0x100 + 8 * 12) == 32, "fetch_bytes %u", s.rd(0x160));
    CHECK(s.wr(0x04, 2) == 0 && (s.rd(0x04) & 6) == 0 && s.t->irq == 0, "W1C");

    // 2. precise dispatch faults
    struct F { Ins bad; int code; } faults[] = {
        {[] { Ins i; i.f(0, 8, 9); return i; }(), 1},
        {load(3, 1, 1, 0, 0, 0), 4},
        {load(0, 0, 1, 0, 0, 0), 4},
        {config(1u << 31, 0, 0), 4},
        {config(1, 63, 0), 4},
        {load(0, 4, 1, 0x3fffff, 0, 0), 2},
        {load(2, 4, 1, 0xfffff, 0, 0), 3},
        {store(1, NCOLS + 1, 0, 0, 0), 4},
    };
    for (auto &f : faults) {
        p = {config(1, 0, 0), store(2, 4, 0, 0x30000, 4), config(1, 0, 0), f.bad, store(1, 1, 0, 0x30100, 1)};
        s.mem[0x30100] = 0x5a;
        st = run(s, p, 0x8000, &cyc);
        CHECK((st & 7) == 4, "fault %d status %x", f.code, st);
        CHECK(s.rd(0x08) == (uint32_t)f.code && s.rd(0x0c) == 3, "fault code %u pc %u exp %d/3", s.rd(0x08), s.rd(0x0c), f.code);
        CHECK(s.mem[0x30100] == 0x5a, "instruction after fault executed");
    }
    // 3. DMA read error, write error, fetch error
    p = {config(1, 0, 0), load(0, 3, 4, 0, ERR_BASE + 64, 16), store(1, 1, 0, 0x30100, 1)};
    st = run(s, p, 0x8000, &cyc);
    CHECK((st & 7) == 4 && s.rd(0x08) == 5 && s.rd(0x0c) == 1, "dma read error: st %x code %u pc %u", st, s.rd(0x08), s.rd(0x0c));
    p = {config(1, 0, 0), store(3, 4, 0, ERR_BASE + 7, 40)};
    st = run(s, p, 0x8000, &cyc);
    CHECK((st & 7) == 4 && s.rd(0x08) == 6 && s.rd(0x0c) == 1, "dma write error: st %x code %u pc %u", st, s.rd(0x08), s.rd(0x0c));
    p = std::vector<Ins>(8, config(1, 0, 0));
    st = run(s, p, ERR_BASE - 16 * 5, &cyc);
    CHECK((st & 7) == 4 && s.rd(0x08) == 7 && s.rd(0x0c) == 5, "fetch error: st %x code %u pc %u", st, s.rd(0x08), s.rd(0x0c));
    // 4. empty program and a long one
    p = {};
    st = run(s, p, 0x8000, &cyc);
    CHECK((st & 7) == 2, "empty program status %x", st);
    p = std::vector<Ins>(300, config(1, 0, 0));
    st = run(s, p, 0x8ff0, &cyc);
    CHECK((st & 7) == 2 && s.rd(0x108) == 300, "300 instructions: st %x count %u", st, s.rd(0x108));
    printf("%s: top smoke test, %d errors\n", errors ? "FAIL" : "PASS", errors);
    delete s.t;
    return errors ? 1 : 0;
}
