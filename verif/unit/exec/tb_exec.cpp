// Randomized unit test of hwgen_exec_unit (with hwgen_scratchpad and hwgen_accumulator)
// against a C++ reference of `compute` (IsaSpec.cs / docs/architecture.md):
//   C[c+i][j] = base + sum_{t<k} A(i,t) * B(t,j)  (int32 wrap-around)
//   WS: A(i,t) = SP[a+i][t];  OS: A(i,t) = SP[a+t][i];  B(t,j) = SP[b+t][j]
// Parameters come from the Verilator build (-G...), passed again on the command line.
#include "Vtb_exec_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Cfg {
    int rows = 4, cols = 4, ws = 1, os = 1, sp_depth = 256, acc_depth = 128;
    int ninsn = 200;
    unsigned seed = 1;
    double b_stall = 0.2, insn_gap = 0.2, tok_rate = 0.3;
    bool perf = false;
    bool directed = false;
    long halt_at = -1;  // cycles after start at which halt rises (and stays)
    int perf_rows = 512, perf_insns = 8;
};

struct Insn {
    int os, mode, rows, k, a, b, c, bias, pop_prev, pop_next, push_prev, push_next;
};

void set_field(uint32_t w[4], int lsb, int width, uint64_t v) {
    for (int i = 0; i < width; ++i) {
        int bit = lsb + i;
        if ((v >> i) & 1) w[bit / 32] |= 1u << (bit % 32);
    }
}

// Field positions from IsaSpec.cs (compute).
void encode(const Insn& in, uint32_t w[4]) {
    std::memset(w, 0, 16);
    set_field(w, 0, 8, 4);
    set_field(w, 8, 1, in.pop_prev);
    set_field(w, 9, 1, in.pop_next);
    set_field(w, 10, 1, in.push_prev);
    set_field(w, 11, 1, in.push_next);
    set_field(w, 12, 1, in.os);
    set_field(w, 13, 2, in.mode);
    set_field(w, 16, 16, in.rows);
    set_field(w, 32, 16, in.k);
    set_field(w, 48, 20, in.a);
    set_field(w, 68, 20, in.b);
    set_field(w, 88, 20, in.c);
    set_field(w, 108, 20, in.bias);
}

struct Tb {
    Cfg cfg;
    Vtb_exec_top* top;
    uint64_t cycle = 0;
    std::mt19937 rng;
    int spb;
    std::vector<std::vector<int8_t>> sp;
    std::vector<std::vector<uint32_t>> acc;
    int errors = 0;
    Insn prev{};
    bool have_prev = false;
    bool prev_long = false;

    explicit Tb(const Cfg& c) : cfg(c), top(new Vtb_exec_top), rng(c.seed) {
        spb = std::max(cfg.rows, cfg.cols);
    }
    double rnd() { return std::uniform_real_distribution<double>(0, 1)(rng); }
    int irand(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

    void tick() {
        top->clk = 1;
        top->eval();
        top->clk = 0;
        top->eval();
        ++cycle;
    }

    void init_memories() {
        sp.assign(cfg.sp_depth, std::vector<int8_t>(spb));
        acc.assign(cfg.acc_depth, std::vector<uint32_t>(cfg.cols));
        for (int r = 0; r < cfg.sp_depth; ++r) {
            for (int i = 0; i < 8; ++i) top->sp_wr_data[i] = 0;
            for (int e = 0; e < spb; ++e) {
                sp[r][e] = (int8_t)irand(-128, 127);
                top->sp_wr_data[e / 4] |= (uint32_t)(uint8_t)sp[r][e] << (8 * (e % 4));
            }
            top->sp_wr_en = 1;
            top->sp_wr_addr = r;
            top->eval();
            tick();
        }
        top->sp_wr_en = 0;
        for (int r = 0; r < cfg.acc_depth; ++r) {
            for (int i = 0; i < 32; ++i) top->acc_ld_data[i] = 0;
            for (int e = 0; e < cfg.cols; ++e) {
                acc[r][e] = (uint32_t)rng();
                top->acc_ld_data[e] = acc[r][e];
            }
            top->acc_ld_en = 1;
            top->acc_ld_addr = r;
            top->eval();
            if (!top->acc_ld_ready) { std::printf("FAIL: ld port refused while idle\n"); ++errors; }
            tick();
        }
        top->acc_ld_en = 0;
    }

    void reference(const Insn& in) {
        std::vector<std::vector<uint32_t>> out(in.rows, std::vector<uint32_t>(cfg.cols));
        for (int i = 0; i < in.rows; ++i) {
            for (int j = 0; j < cfg.cols; ++j) {
                uint32_t s = 0;
                if (in.mode == 1) s = acc[in.c + i][j];
                if (in.mode == 2) s = acc[in.bias][j];
                for (int t = 0; t < in.k; ++t) {
                    int a = in.os ? sp[in.a + t][i] : sp[in.a + i][t];
                    int b = sp[in.b + t][j];
                    s += (uint32_t)(int32_t)(a * b);
                }
                out[i][j] = s;
            }
        }
        for (int i = 0; i < in.rows; ++i) acc[in.c + i] = out[i];
    }

    Insn random_insn() {
        Insn in{};
        in.os = cfg.ws && cfg.os ? irand(0, 1) : (cfg.os ? 1 : 0);
        in.mode = irand(0, 2);
        if (!in.os) {
            in.k = irand(1, cfg.rows);
            int r = irand(0, 9);
            in.rows = r < 3 ? irand(1, 4) : (r < 7 ? irand(1, 3 * cfg.rows + 4) : irand(1, 64));
        } else {
            in.rows = irand(1, cfg.rows);
            int r = irand(0, 9);
            in.k = r < 3 ? irand(1, 4) : irand(1, 3 * cfg.rows + 4);
        }
        int a_len = in.os ? in.k : in.rows;
        in.rows = std::min(in.rows, cfg.acc_depth - 1);
        a_len = in.os ? in.k : in.rows;
        in.a = irand(0, cfg.sp_depth - a_len);
        in.b = irand(0, cfg.sp_depth - in.k);
        in.c = irand(0, cfg.acc_depth - in.rows);
        // Keep some instructions hitting the same rows to exercise forwarding.
        if (rnd() < 0.3) in.c = 0;
        // Or start on (or just before) the last row of the previous instruction, so that
        // back-to-back writes of one row exercise the write-stage forwarding.
        if (have_prev && prev_long && !in.os && in.k <= cfg.sp_depth / 2) {
            in.b = irand(cfg.sp_depth / 2, cfg.sp_depth - in.k);  // not the bank the long stream reads
        }
        if (have_prev && rnd() < (prev_long ? 0.8 : 0.2)) {
            int c = prev.c + prev.rows - 1 - irand(0, 2);
            if (c >= 0 && c + in.rows <= cfg.acc_depth) in.c = c;
            if (rnd() < 0.7) in.mode = 1;
        }
        do {
            in.bias = irand(0, cfg.acc_depth - 1);
        } while (in.bias >= in.c && in.bias < in.c + in.rows);
        in.pop_prev = rnd() < 0.3;
        in.pop_next = rnd() < 0.3;
        in.push_prev = rnd() < 0.3;
        in.push_next = rnd() < 0.3;
        if (have_prev && prev_long) in.pop_prev = in.pop_next = 0;
        // A long WS stream hides the next preload, so the next instruction's first row follows
        // its last row directly: chain the next one onto its last rows.
        prev_long = false;
        if (!in.os && rnd() < 0.2) {
            int r = irand(4 * cfg.rows + 8, 4 * cfg.rows + 24);
            if (r < cfg.acc_depth && r <= cfg.sp_depth / 2) {
                in.rows = r;
                in.a = irand(0, cfg.sp_depth / 2 - r);
                in.c = irand(0, cfg.acc_depth - r);
                prev_long = true;
                if (in.bias >= in.c && in.bias < in.c + in.rows) in.mode = in.mode == 2 ? 1 : in.mode;
            }
        }
        prev = in;
        have_prev = true;
        return in;
    }

    Insn perf_insn(int n) {
        Insn in{};
        in.os = 0;
        in.mode = n & 1;
        in.rows = cfg.perf_rows;
        in.k = cfg.rows;
        in.a = 0;
        in.b = cfg.sp_depth / 2 + (n % 2) * cfg.rows;  // a bank the A stream does not read
        in.c = 0;
        in.bias = 0;
        return in;
    }

    int run() {
        top->clk = 0;
        top->rst = 1;
        top->halt = 0;
        top->s_insn_valid = 0;
        top->inj_b_stall = 0;
        top->tok_ld2ex_avail = 0;
        top->tok_st2ex_avail = 0;
        top->acc_st_en = 0;
        top->eval();
        for (int i = 0; i < 4; ++i) tick();
        top->rst = 0;
        init_memories();

        std::vector<Insn> prog;
        int n = cfg.perf ? cfg.perf_insns : cfg.ninsn;
        for (int i = 0; i < n; ++i) prog.push_back(cfg.perf ? perf_insn(i) : random_insn());
        if (cfg.directed && n >= 2) {
            // Two WS computes: the second accumulates onto the last row of the first, one cycle later.
            Insn a{0, 0, 4 * cfg.rows + 8, cfg.rows, 0, 0, 0, 0, 0, 0, 0, 0};
            Insn b{0, 1, 3, cfg.rows, 1, cfg.sp_depth / 2, a.rows - 1, 0, 0, 0, 0, 0};  // B in another bank than A
            prog[0] = a;
            prog[1] = b;
        }

        // Expected cumulative scratchpad reads and accumulator writes after instruction i.
        std::vector<uint64_t> cum_reads(n), cum_writes(n);
        uint64_t cr = 0, cw = 0;
        for (int i = 0; i < n; ++i) {
            cr += prog[i].os ? 2 * prog[i].k : prog[i].k + prog[i].rows;
            cw += prog[i].rows;
            cum_reads[i] = cr;
            cum_writes[i] = cw;
        }
        std::vector<int> prev_push_idx, next_push_idx;
        for (int i = 0; i < n; ++i) {
            if (prog[i].push_prev) prev_push_idx.push_back(i);
            if (prog[i].push_next) next_push_idx.push_back(i);
        }

        int sent = 0;
        int ld2ex = 0, st2ex = 0;
        size_t n_prev_push = 0, n_next_push = 0;
        uint64_t reads = 0, writes = 0, rows_in = 0, macs = 0, exp_macs = 0;
        uint64_t first_row = 0, last_row = 0, busy = 0, fwd1 = 0, fwd2 = 0, last_wr_cycle = 0;
        int last_wr_addr = -1;
        for (auto& in : prog) exp_macs += (uint64_t)(in.os ? in.rows : in.k) * cfg.cols * (in.os ? in.k : in.rows);
        uint64_t start = cycle;
        uint64_t limit = cycle + 200000 + (uint64_t)n * 2000;
        bool offered = false;
        while (true) {
            // Inputs for this cycle.
            if (!offered && sent < n && (cfg.perf || rnd() >= cfg.insn_gap)) offered = true;
            top->s_insn_valid = offered;
            if (offered) {
                uint32_t w[4];
                encode(prog[sent], w);
                for (int i = 0; i < 4; ++i) top->s_insn_data[i] = w[i];
            }
            if (!cfg.perf && rnd() < cfg.tok_rate && ld2ex < 255) ++ld2ex;
            if (!cfg.perf && rnd() < cfg.tok_rate && st2ex < 255) ++st2ex;
            if (cfg.perf) { ld2ex = 1; st2ex = 1; }
            top->tok_ld2ex_avail = ld2ex > 0;
            top->tok_st2ex_avail = st2ex > 0;
            top->inj_b_stall = !cfg.perf && rnd() < cfg.b_stall;
            bool halted = cfg.halt_at >= 0 && cycle - start >= (uint64_t)cfg.halt_at;
            top->halt = halted;
            top->eval();
            if (halted && top->s_insn_ready) { std::printf("FAIL: ready while halted @%lu\n", (unsigned long)cycle); ++errors; }

            // Observe.
            if (top->tok_ld2ex_pop) { if (ld2ex == 0) { std::printf("FAIL: ld2ex pop without token @%lu\n", (unsigned long)cycle); ++errors; } else --ld2ex; }
            if (top->tok_st2ex_pop) { if (st2ex == 0) { std::printf("FAIL: st2ex pop without token @%lu\n", (unsigned long)cycle); ++errors; } else --st2ex; }
            if (top->tok_ex2ld_push) {
                if (n_prev_push >= prev_push_idx.size()) { std::printf("FAIL: extra push_prev @%lu\n", (unsigned long)cycle); ++errors; }
                else if (reads < cum_reads[prev_push_idx[n_prev_push]]) {
                    std::printf("FAIL: push_prev of insn %d before its reads (%lu < %lu)\n", prev_push_idx[n_prev_push],
                                (unsigned long)reads, (unsigned long)cum_reads[prev_push_idx[n_prev_push]]);
                    ++errors;
                }
                ++n_prev_push;
            }
            if (top->tok_ex2st_push) {
                if (n_next_push >= next_push_idx.size()) { std::printf("FAIL: extra push_next @%lu\n", (unsigned long)cycle); ++errors; }
                else if (writes < cum_writes[next_push_idx[n_next_push]]) {
                    std::printf("FAIL: push_next of insn %d before its writes (%lu < %lu)\n", next_push_idx[n_next_push],
                                (unsigned long)writes, (unsigned long)cum_writes[next_push_idx[n_next_push]]);
                    ++errors;
                }
                ++n_next_push;
            }
            if (std::getenv("TB_TRACE"))
                std::printf("@%lu valid=%d ready=%d a=%d b=%d row=%d wr=%d/%d idle=%d\n", (unsigned long)cycle, top->s_insn_valid,
                            top->s_insn_ready, top->mon_sp_a, top->mon_sp_b, top->stat_row, top->mon_acc_wr,
                            (int)top->mon_acc_wr_addr, top->idle);
            reads += top->mon_sp_a + top->mon_sp_b;
            writes += top->mon_acc_wr;
            if (top->mon_acc_wr) {
                int a = (int)top->mon_acc_wr_addr;
                if (a == last_wr_addr && last_wr_cycle + 1 == cycle) ++fwd1;
                if (a == last_wr_addr && last_wr_cycle + 2 == cycle) ++fwd2;
                last_wr_addr = a;
                last_wr_cycle = cycle;
            }
            if (top->stat_row) {
                if (rows_in == 0) first_row = cycle;
                last_row = cycle;
                ++rows_in;
                macs += top->stat_macs;
            }
            busy += top->stat_busy;
            if (offered && top->s_insn_ready) {
                reference(prog[sent]);
                ++sent;
                offered = false;
            }
            bool done = (sent == n || halted) && top->idle;
            tick();
            if (done) break;
            if (cycle > limit) { std::printf("FAIL: timeout (sent %d/%d)\n", sent, n); ++errors; break; }
        }
        uint64_t total = cycle - start;
        if (cfg.halt_at >= 0) {
            // Instructions held without tokens may be dropped: only check that the unit stops.
            std::printf("%s: halted at +%ld, idle at +%lu, %d/%d instructions accepted, errors %d\n",
                        errors ? "FAIL" : "PASS", cfg.halt_at, (unsigned long)total, sent, n, errors);
            top->final();
            delete top;
            return errors ? 1 : 0;
        }
        if (n_prev_push != prev_push_idx.size() || n_next_push != next_push_idx.size()) {
            std::printf("FAIL: pushes prev %zu/%zu next %zu/%zu\n", n_prev_push, prev_push_idx.size(), n_next_push, next_push_idx.size());
            ++errors;
        }
        if (macs != exp_macs) { std::printf("FAIL: stat_macs %lu expected %lu\n", (unsigned long)macs, (unsigned long)exp_macs); ++errors; }
        if (writes != cum_writes[n - 1]) { std::printf("FAIL: %lu acc writes, expected %lu\n", (unsigned long)writes, (unsigned long)cum_writes[n - 1]); ++errors; }

        // Read back every accumulator row through the store port.
        int bad_rows = 0;
        for (int r = 0; r < cfg.acc_depth; ++r) {
            top->acc_st_en = 1;
            top->acc_st_addr = r;
            top->eval();
            tick();
            top->acc_st_en = 0;
            top->eval();
            for (int e = 0; e < cfg.cols; ++e) {
                uint32_t got = top->acc_st_data[e];
                if (got != acc[r][e]) {
                    if (bad_rows < 5) std::printf("FAIL: acc[%d][%d] = %08x expected %08x\n", r, e, got, acc[r][e]);
                    ++bad_rows;
                    break;
                }
            }
        }
        errors += bad_rows;
        if (cfg.perf) {
            uint64_t nrows = (uint64_t)cfg.perf_rows * n;
            std::printf("PERF %dx%d: %lu rows, first->last row %lu cycles = %.4f cycles/row; total %lu cycles (%.4f cycles/row incl. fill/drain)\n",
                        cfg.rows, cfg.cols, (unsigned long)nrows, (unsigned long)(last_row - first_row + 1),
                        (double)(last_row - first_row + 1) / nrows, (unsigned long)total, (double)total / nrows);
        }
        std::printf("%s: %d instructions, %lu cycles, %lu rows/steps, busy %lu, same-row writes 1/2 cycles apart %lu/%lu, errors %d\n",
                    errors ? "FAIL" : "PASS", n, (unsigned long)total, (unsigned long)rows_in, (unsigned long)busy,
                    (unsigned long)fwd1, (unsigned long)fwd2, errors);
        top->final();
        delete top;
        return errors ? 1 : 0;
    }
};

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    Cfg cfg;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&](const char* key) -> const char* {
            size_t n = std::strlen(key);
            return a.compare(0, n, key) == 0 ? a.c_str() + n : nullptr;
        };
        if (auto v = val("--rows=")) cfg.rows = std::atoi(v);
        else if (auto v = val("--cols=")) cfg.cols = std::atoi(v);
        else if (auto v = val("--ws=")) cfg.ws = std::atoi(v);
        else if (auto v = val("--os=")) cfg.os = std::atoi(v);
        else if (auto v = val("--sp-depth=")) cfg.sp_depth = std::atoi(v);
        else if (auto v = val("--acc-depth=")) cfg.acc_depth = std::atoi(v);
        else if (auto v = val("--n=")) cfg.ninsn = std::atoi(v);
        else if (auto v = val("--seed=")) cfg.seed = (unsigned)std::atoi(v);
        else if (auto v = val("--b-stall=")) cfg.b_stall = std::atof(v);
        else if (auto v = val("--perf-rows=")) cfg.perf_rows = std::atoi(v);
        else if (a == "--perf") cfg.perf = true;
        else if (a == "--directed") cfg.directed = true;
        else if (auto v = val("--halt-at=")) cfg.halt_at = std::atol(v);
    }
    Tb tb(cfg);
    return tb.run();
}
