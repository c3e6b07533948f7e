// HwGen Verilator harness: runs one program on hwgen_top against an AXI4 memory model.
//
// Usage: hwgen_sim --image FILE --prog-addr ADDR --prog-len N [options]
//
//   --image FILE          initial DRAM image (byte 0 = address 0)
//   --mem-size BYTES      DRAM size (default: image size; larger sizes are zero-filled)
//   --prog-addr ADDR      PROG_ADDR (byte address of instruction 0, 16-byte aligned)
//   --prog-len N          PROG_LEN (number of 128-bit instructions)
//   --max-cycles N        stop with status "timeout" after N cycles after START (default 50000000)
//   --watchdog N          stop with status "hang" when no unit made progress for N cycles: no AXI
//                         handshake and no performance counter other than cycles and *_wait
//                         changed (sampled over AXI4-Lite every N/8 cycles); the harness then
//                         reads UNIT_STATUS and TOKENS and names the stalled units (0 = off)
//   --poll N              poll STATUS over AXI4-Lite every N cycles instead of waiting for irq
//   --read-latency N      AR handshake -> first R beat, cycles (default 1)
//   --write-latency N     last W beat -> B response, cycles (default 1)
//   --max-reads N         outstanding read bursts accepted (default 8)
//   --max-writes N        outstanding write bursts accepted (default 8)
//   --seed S              seed for --jitter and --stall-pct (default 1)
//   --jitter N            extra random latency 0..N cycles per burst (default 0)
//   --stall-pct P         random backpressure on every AXI channel, percent per cycle (default 0)
//   --slverr LO:HI[:r|w]  answer SLVERR for beats touching [LO, HI) (reads and writes, or only
//                         reads (r) or only writes (w))
//   --dump ADDR:LEN:FILE  after the run, write LEN bytes of DRAM at ADDR to FILE (repeatable)
//   --dump-all FILE       after the run, write the whole DRAM to FILE
//   --json FILE           result JSON (default: stdout)
//   --trace FILE.fst      FST waveform (only in a binary built with --trace-fst)
//   --profile FILE        per-cycle profile of the execute unit: for every execute instruction (by
//                         PC), the cycles attributed to it, split by cause (see Profiler below)
//
// Numbers accept decimal or 0x-prefixed hex. Exit codes: 0 the run finished (whatever its
// status: done, error or timeout; read the JSON), 2 bad command line, 3 file I/O error,
// 4 the AXI4-Lite port did not respond.
//
// The result JSON holds: status (done|error|timeout|hang), reason, cycles (START handshake to
// the first cycle irq was high, counted by the harness), total_cycles (including reset and
// register access), irq (the interrupt line was raised), status_reg, error_code, error_pc,
// unit_status, tokens, stalled (hang diagnosis), hw_id, hw_config, counters {name: value} (names from
// IsaSpec.Counters), sim_wall_seconds, cycles_per_second, axi statistics and protocol
// violations found by the memory model.
//
// The profile file (--profile) is text: a line "hwgen-exec-profile 1", a line "causes" followed by
// the cause names (hwgen::kCauseNames), then one line per instruction that was attributed cycles:
// its PC and one count per cause. The PC equal to --prog-len stands for the cycles after the last
// execute instruction finished (the final stores). The counts add up to "cycles".
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "Vhwgen_top.h"
#include "Vhwgen_top___024root.h"
#include "axi_mem.h"
#include "hwgen_harness_params.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

namespace {

using hwgen::AxiMasterPins;
using hwgen::AxiMem;
using hwgen::AxiMemConfig;

template <typename P>
using PortT = std::remove_cv_t<std::remove_reference_t<P>>;

constexpr int kDataBytes = static_cast<int>(sizeof(PortT<decltype(std::declval<Vhwgen_top&>().m_axi_rdata)>));
static_assert(kDataBytes <= hwgen::kMaxDataBytes, "AXI data bus too wide for the memory model");

// Port access for scalar (CData/SData/IData/QData) and wide (VlWide) ports.
template <typename T>
inline void put_bytes(T& port, const uint8_t* src, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | src[i];
    port = static_cast<T>(v);
}
template <std::size_t N>
inline void put_bytes(VlWide<N>& port, const uint8_t* src, int n) {
    for (std::size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (int b = 3; b >= 0; b--) {
            const int i = static_cast<int>(w) * 4 + b;
            v = (v << 8) | (i < n ? src[i] : 0u);
        }
        port[w] = v;
    }
}
template <typename T>
inline void get_bytes(const T& port, uint8_t* dst, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    uint64_t v = port;
    for (int i = 0; i < n; i++) {
        dst[i] = static_cast<uint8_t>(v & 0xff);
        v >>= 8;
    }
}
template <std::size_t N>
inline void get_bytes(const VlWide<N>& port, uint8_t* dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>(port[i / 4] >> (8 * (i % 4)));
}
template <typename T>
inline void get_bits(const T& port, uint8_t* dst, int n) {
    static_assert(std::is_integral<T>::value, "scalar port");
    const uint64_t v = port;
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>((v >> i) & 1u);
}
template <std::size_t N>
inline void get_bits(const VlWide<N>& port, uint8_t* dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = static_cast<uint8_t>((port[i / 32] >> (i % 32)) & 1u);
}

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct AxilTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

uint64_t parse_u64(const std::string& text, const std::string& what) {
    if (text.empty()) throw UsageError(what + ": empty number");
    char* end = nullptr;
    const uint64_t v = std::strtoull(text.c_str(), &end, 0);
    if (end == nullptr || *end != '\0') throw UsageError(what + ": not a number: '" + text + "'");
    return v;
}

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

Options parse_args(int argc, char** argv) {
    Options o;
    o.mem.seed = 1;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        if (a.rfind("+verilator", 0) == 0) continue;
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(a + " needs a value");
            return argv[++i];
        };
        if (a == "--image") o.image = next();
        else if (a == "--mem-size") o.mem_size = parse_u64(next(), a);
        else if (a == "--prog-addr") { o.prog_addr = parse_u64(next(), a); o.have_prog_addr = true; }
        else if (a == "--prog-len") { o.prog_len = parse_u64(next(), a); o.have_prog_len = true; }
        else if (a == "--max-cycles") o.max_cycles = parse_u64(next(), a);
        else if (a == "--watchdog") o.watchdog = parse_u64(next(), a);
        else if (a == "--poll") o.poll = parse_u64(next(), a);
        else if (a == "--read-latency") o.mem.read_latency = static_cast<int>(parse_u64(next(), a));
        else if (a == "--write-latency") o.mem.write_latency = static_cast<int>(parse_u64(next(), a));
        else if (a == "--max-reads") o.mem.max_reads = static_cast<int>(parse_u64(next(), a));
        else if (a == "--max-writes") o.mem.max_writes = static_cast<int>(parse_u64(next(), a));
        else if (a == "--seed") o.mem.seed = parse_u64(next(), a);
        else if (a == "--jitter") o.mem.jitter = static_cast<int>(parse_u64(next(), a));
        else if (a == "--stall-pct") {
            o.mem.stall_pct = static_cast<int>(parse_u64(next(), a));
            if (o.mem.stall_pct > 95) throw UsageError("--stall-pct must be 0..95");
        } else if (a == "--slverr") {
            const std::string v = next();
            const auto colon = v.find(':');
            if (colon == std::string::npos) throw UsageError("--slverr wants LO:HI[:r|w], got '" + v + "'");
            const auto colon2 = v.find(':', colon + 1);
            std::string hi = v.substr(colon + 1, colon2 == std::string::npos ? std::string::npos : colon2 - colon - 1);
            if (colon2 != std::string::npos) {
                const std::string which = v.substr(colon2 + 1);
                if (which != "r" && which != "w") throw UsageError("--slverr channel must be r or w, got '" + which + "'");
                o.mem.slverr_reads = which == "r";
                o.mem.slverr_writes = which == "w";
            }
            o.mem.slverr = true;
            o.mem.slverr_lo = parse_u64(v.substr(0, colon), a);
            o.mem.slverr_hi = parse_u64(hi, a);
        } else if (a == "--dump") {
            const std::string v = next();
            const auto c1 = v.find(':');
            const auto c2 = c1 == std::string::npos ? c1 : v.find(':', c1 + 1);
            if (c2 == std::string::npos) throw UsageError("--dump wants ADDR:LEN:FILE, got '" + v + "'");
            o.dumps.push_back({parse_u64(v.substr(0, c1), a), parse_u64(v.substr(c1 + 1, c2 - c1 - 1), a),
                               v.substr(c2 + 1)});
        } else if (a == "--dump-all") o.dump_all = next();
        else if (a == "--json") o.json = next();
        else if (a == "--trace") o.trace = next();
        else if (a == "--profile") o.profile = next();
        else throw UsageError("unknown option '" + a + "'");
    }
    if (o.image.empty()) throw UsageError("--image is required");
    if (!o.have_prog_addr || !o.have_prog_len) throw UsageError("--prog-addr and --prog-len are required");
    return o;
}

std::string json_escape(const std::string& s) {
    std::string r;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') { r += '\\'; r += static_cast<char>(c); }
        else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); r += b; }
        else r += static_cast<char>(c);
    }
    return r;
}

// Per-cycle profile of the execute unit, sampled while the program runs (START to the first irq).
//
// Each cycle is attributed to one execute instruction: the one the execute unit streams (slot S,
// or its rows still in the pipeline), else the one it holds in slot P (waiting for tokens or
// preloading weights), else the next one it will take from its queue. So the attribution follows
// the execute unit's own order even when loads and stores of other operations overlap in time.
// Each cycle also gets a cause: the array took a row (array_active), the unit was busy without
// feeding the array (pipeline), or the unit was idle because it waited for an LD->EX token (load),
// for an ST->EX token while the store unit stored (store) or normalized (normalize), or had nothing
// to work on (fetch). Which token the held instruction waits for comes from its pop flags, decoded
// from the program in the image; which store-queue instruction the store unit runs is counted from
// the store queue's handshakes. The signals are made readable by hwgen_observe.vlt.
class Profiler {
public:
    void decode(const std::vector<uint8_t>& mem, uint64_t prog_addr, uint64_t prog_len) {
        prog_len_ = prog_len;
        for (uint64_t pc = 0; pc < prog_len; pc++) {
            const uint64_t at = prog_addr + pc * 16u;
            if (at + 16u > mem.size()) break;
            const uint8_t* w = mem.data() + at;
            const uint32_t opcode = field(w, hwgen::kOpcodeLsb, hwgen::kOpcodeWidth);
            const int unit = hwgen::opcode_unit(opcode);
            if (unit == hwgen::kUnitNone) break;  // fetch faults here; nothing after it is dispatched
            if (unit == hwgen::kUnitExecute) {
                exec_pc_.push_back(pc);
                exec_flags_.push_back(static_cast<uint8_t>((field(w, hwgen::kPopPrevBit, 1) ? kNeedLd : 0) |
                                                           (field(w, hwgen::kPopNextBit, 1) ? kNeedSt : 0)));
            } else if (unit == hwgen::kUnitStore) {
                store_norm_.push_back(opcode == static_cast<uint32_t>(hwgen::kOpNormalize) ? 1 : 0);
            }
        }
        counts_.assign((exec_pc_.size() + 1) * hwgen::kCauseCount, 0);
    }

    void arm(bool on) { armed_ = on; }

    inline void sample(const Vhwgen_top___024root& r) {
        const bool ex_take = r.hwgen_top__DOT__exq_m_valid && r.hwgen_top__DOT__exq_m_ready;
        const bool st_take = r.hwgen_top__DOT__stq_m_valid && r.hwgen_top__DOT__stq_m_ready;
        if (armed_) {
            const int64_t taken = static_cast<int64_t>(ex_taken_);
            const int64_t n = static_cast<int64_t>(exec_pc_.size());
            const bool p = r.hwgen_top__DOT__u_exec__DOT__p_valid_q;
            const bool s = r.hwgen_top__DOT__u_exec__DOT__s_valid_q;
            const bool busy = r.hwgen_top__DOT__e_stat_busy;
            // S holds the last instruction that left P; P holds the last one taken.
            int64_t idx = s ? taken - (p ? 1 : 0) - 1 : (p || busy) ? taken - 1 : taken;
            idx = std::min(std::max<int64_t>(idx, 0), n);
            int cause;
            if (r.hwgen_top__DOT__e_stat_row) {
                cause = hwgen::kCauseArrayActive;
            } else if (busy) {
                cause = hwgen::kCausePipeline;
            } else if (r.hwgen_top__DOT__e_stat_wait) {
                const uint8_t f = taken > 0 && taken <= n ? exec_flags_[static_cast<std::size_t>(taken - 1)] : 0;
                if ((f & kNeedSt) && r.hwgen_top__DOT__tok_st2ex_q == 0) cause = store_side(r, false);
                else if ((f & kNeedLd) && r.hwgen_top__DOT__tok_ld2ex_q == 0) cause = load_side(r);
                else cause = hwgen::kCauseOther;
            } else if (p) {
                cause = hwgen::kCausePipeline;
            } else if (taken >= n) {
                cause = store_side(r, true);
            } else {
                cause = starved(r);
            }
            counts_[static_cast<std::size_t>(idx) * hwgen::kCauseCount + static_cast<std::size_t>(cause)]++;
        }
        ex_taken_ += ex_take ? 1u : 0u;
        st_taken_ += st_take ? 1u : 0u;
    }

    void write(const std::string& path) const {
        std::ofstream out(path, std::ios::trunc);
        if (!out) throw IoError("cannot create '" + path + "'");
        out << "hwgen-exec-profile 1\ncauses";
        for (int c = 0; c < hwgen::kCauseCount; c++) out << ' ' << hwgen::kCauseNames[c];
        out << '\n';
        for (std::size_t i = 0; i <= exec_pc_.size(); i++) {
            const uint64_t* row = counts_.data() + i * hwgen::kCauseCount;
            bool any = false;
            for (int c = 0; c < hwgen::kCauseCount; c++) any = any || row[c] != 0;
            if (!any) continue;
            out << (i < exec_pc_.size() ? exec_pc_[i] : prog_len_);
            for (int c = 0; c < hwgen::kCauseCount; c++) out << ' ' << row[c];
            out << '\n';
        }
        if (!out) throw IoError("cannot write '" + path + "'");
    }

private:
    static constexpr uint8_t kNeedLd = 1;  // pop_prev: LD->EX
    static constexpr uint8_t kNeedSt = 2;  // pop_next: ST->EX

    static uint32_t field(const uint8_t* w, int lsb, int width) {
        uint32_t v = 0;
        for (int b = 0; b < width; b++) {
            const int bit = lsb + b;
            v |= static_cast<uint32_t>((w[bit / 8] >> (bit % 8)) & 1u) << b;
        }
        return v;
    }

    // What the store unit is running: a normalize, or a store / config (the store drain).
    int store_kind() const {
        const bool norm = st_taken_ > 0 && st_taken_ <= store_norm_.size() && store_norm_[st_taken_ - 1] != 0;
        return norm ? hwgen::kCauseNormalize : hwgen::kCauseStore;
    }

    // The store unit stands between the execute unit and its ST->EX token (or, at the end, DONE).
    int store_side(const Vhwgen_top___024root& r, bool tail) const {
        const bool idle = !r.hwgen_top__DOT__s_stat_busy && !r.hwgen_top__DOT__s_stat_wait && !r.hwgen_top__DOT__stq_m_valid;
        if (idle) return tail ? hwgen::kCauseOther : starved(r);
        return store_kind();
    }

    // The load unit stands between the execute unit and its LD->EX token.
    int load_side(const Vhwgen_top___024root& r) const {
        const bool idle = !r.hwgen_top__DOT__l_stat_busy && !r.hwgen_top__DOT__l_stat_wait && !r.hwgen_top__DOT__ldq_m_valid;
        return idle ? starved(r) : hwgen::kCauseLoad;
    }

    // The instruction the execute unit needs next is not dispatched yet. Dispatch is in order: when
    // it is blocked by a full load (store) queue, the load (store) unit is what the array waits for;
    // otherwise instruction fetch is behind.
    int starved(const Vhwgen_top___024root& r) const {
        if (r.hwgen_top__DOT__ldq_s_valid && !r.hwgen_top__DOT__ldq_s_ready) return hwgen::kCauseLoad;
        if (r.hwgen_top__DOT__stq_s_valid && !r.hwgen_top__DOT__stq_s_ready) return store_kind();
        return hwgen::kCauseFetch;
    }

    uint64_t prog_len_ = 0;
    std::vector<uint64_t> exec_pc_;
    std::vector<uint8_t> exec_flags_;
    std::vector<uint8_t> store_norm_;
    std::vector<uint64_t> counts_;
    uint64_t ex_taken_ = 0;
    uint64_t st_taken_ = 0;
    bool armed_ = false;
};

class Sim {
public:
    Sim(const Options& opt, VerilatedContext* ctx) : opt_(opt), ctx_(ctx), mem_(make_mem_config(opt)) {
        top_ = std::make_unique<Vhwgen_top>(ctx_, "TOP");
#if VM_TRACE_FST
        if (!opt_.trace.empty()) {
            tfp_ = std::make_unique<VerilatedFstC>();
            top_->trace(tfp_.get(), 99);
            tfp_->open(opt_.trace.c_str());
        }
#else
        if (!opt_.trace.empty()) {
            throw UsageError("--trace needs a harness built with --trace-fst");
        }
#endif
        top_->clk = 0;
        top_->rst = 1;
        clear_axil();
    }

    ~Sim() {
#if VM_TRACE_FST
        if (tfp_) tfp_->close();
#endif
        top_->final();
    }

    AxiMem& mem() { return mem_; }
    Vhwgen_top& top() { return *top_; }
    uint64_t cycle() const { return cycle_; }

    void load_image() {
        std::ifstream in(opt_.image, std::ios::binary | std::ios::ate);
        if (!in) throw IoError("cannot open image '" + opt_.image + "'");
        const auto n = static_cast<uint64_t>(in.tellg());
        if (n > mem_.memory().size()) {
            throw IoError("image '" + opt_.image + "' is larger than --mem-size");
        }
        in.seekg(0);
        in.read(reinterpret_cast<char*>(mem_.memory().data()), static_cast<std::streamsize>(n));
        if (!in) throw IoError("cannot read image '" + opt_.image + "'");
    }

    // One clock cycle.
    inline void tick() {
        mem_.drive();
        const auto& s = mem_.out();
        Vhwgen_top& t = *top_;
        t.m_axi_arready = s.arready;
        t.m_axi_rvalid = s.rvalid;
        t.m_axi_rid = s.rid;
        if (s.rvalid) put_bytes(t.m_axi_rdata, s.rdata, kDataBytes);
        t.m_axi_rresp = s.rresp;
        t.m_axi_rlast = s.rlast;
        t.m_axi_awready = s.awready;
        t.m_axi_wready = s.wready;
        t.m_axi_bvalid = s.bvalid;
        t.m_axi_bid = s.bid;
        t.m_axi_bresp = s.bresp;

        t.clk = 0;
        t.eval();
        dump_trace();
        if (profiler_) profiler_->sample(*t.rootp);

        pins_.arvalid = t.m_axi_arvalid;
        pins_.rready = t.m_axi_rready;
        pins_.awvalid = t.m_axi_awvalid;
        pins_.wvalid = t.m_axi_wvalid;
        pins_.bready = t.m_axi_bready;
        if (pins_.arvalid && s.arready) {
            pins_.arid = t.m_axi_arid;
            pins_.araddr = t.m_axi_araddr;
            pins_.arlen = t.m_axi_arlen;
            pins_.arsize = t.m_axi_arsize;
            pins_.arburst = t.m_axi_arburst;
        }
        if (pins_.awvalid && s.awready) {
            pins_.awid = t.m_axi_awid;
            pins_.awaddr = t.m_axi_awaddr;
            pins_.awlen = t.m_axi_awlen;
            pins_.awsize = t.m_axi_awsize;
            pins_.awburst = t.m_axi_awburst;
        }
        if (pins_.wvalid && s.wready) {
            get_bytes(t.m_axi_wdata, pins_.wdata, kDataBytes);
            get_bits(t.m_axi_wstrb, pins_.wstrb, kDataBytes);
            pins_.wlast = t.m_axi_wlast;
        }
        hs_aw_ = t.s_axil_awvalid && t.s_axil_awready;
        hs_w_ = t.s_axil_wvalid && t.s_axil_wready;
        hs_b_ = t.s_axil_bvalid && t.s_axil_bready;
        hs_ar_ = t.s_axil_arvalid && t.s_axil_arready;
        hs_r_ = t.s_axil_rvalid && t.s_axil_rready;
        rdata_ = t.s_axil_rdata;
        mem_.step(pins_);

        t.clk = 1;
        t.eval();
        dump_trace();
        cycle_++;
        if (t.irq && !irq_seen_) {
            irq_seen_ = true;
            irq_cycle_ = cycle_;
            if (profiler_) profiler_->arm(false);  // the profile covers exactly the counted cycles
        }
    }

    bool irq_seen() const { return irq_seen_; }
    uint64_t irq_cycle() const { return irq_cycle_; }
    void arm_irq() { irq_seen_ = false; }
    void set_profiler(Profiler* p) { profiler_ = p; }

    void reset(int cycles) {
        top_->rst = 1;
        for (int i = 0; i < cycles; i++) tick();
        top_->rst = 0;
    }

    void axil_write(uint32_t addr, uint32_t data) {
        Vhwgen_top& t = *top_;
        bool aw = false, w = false;
        const uint64_t limit = cycle_ + kAxilTimeout;
        t.s_axil_awaddr = addr;
        t.s_axil_wdata = data;
        t.s_axil_wstrb = 0xf;
        t.s_axil_bready = 1;
        while (!(aw && w)) {
            t.s_axil_awvalid = !aw;
            t.s_axil_wvalid = !w;
            tick();
            aw = aw || hs_aw_;
            w = w || hs_w_;
            if (cycle_ > limit) throw AxilTimeout("AXI4-Lite write to " + hex(addr) + " was not accepted");
        }
        t.s_axil_awvalid = 0;
        t.s_axil_wvalid = 0;
        while (!hs_b_) {
            tick();
            if (cycle_ > limit) throw AxilTimeout("AXI4-Lite write to " + hex(addr) + " got no response");
        }
        hs_b_ = false;
        t.s_axil_bready = 0;
    }

    uint32_t axil_read(uint32_t addr) {
        Vhwgen_top& t = *top_;
        const uint64_t limit = cycle_ + kAxilTimeout;
        t.s_axil_araddr = addr;
        t.s_axil_arvalid = 1;
        t.s_axil_rready = 1;
        bool ar = false;
        while (!ar) {
            tick();
            ar = hs_ar_;
            if (cycle_ > limit) throw AxilTimeout("AXI4-Lite read of " + hex(addr) + " was not accepted");
        }
        t.s_axil_arvalid = 0;
        while (!hs_r_) {
            tick();
            if (cycle_ > limit) throw AxilTimeout("AXI4-Lite read of " + hex(addr) + " got no data");
        }
        hs_r_ = false;
        t.s_axil_rready = 0;
        return rdata_;
    }

private:
    static constexpr uint64_t kAxilTimeout = 10000;

    static AxiMemConfig make_mem_config(const Options& o) {
        AxiMemConfig c = o.mem;
        c.data_bytes = kDataBytes;
        uint64_t size = o.mem_size;
        if (size == 0) {
            std::ifstream in(o.image, std::ios::binary | std::ios::ate);
            if (!in) throw IoError("cannot open image '" + o.image + "'");
            size = static_cast<uint64_t>(in.tellg());
        }
        c.size = size;
        return c;
    }

    static std::string hex(uint32_t v) {
        char b[16];
        std::snprintf(b, sizeof b, "0x%03x", v);
        return b;
    }

    void clear_axil() {
        Vhwgen_top& t = *top_;
        t.s_axil_awvalid = 0;
        t.s_axil_wvalid = 0;
        t.s_axil_bready = 0;
        t.s_axil_arvalid = 0;
        t.s_axil_rready = 0;
        t.s_axil_awaddr = 0;
        t.s_axil_araddr = 0;
        t.s_axil_wdata = 0;
        t.s_axil_wstrb = 0;
    }

    inline void dump_trace() {
#if VM_TRACE_FST
        if (tfp_) tfp_->dump(ctx_->time());
#endif
        ctx_->timeInc(1);
    }

    const Options& opt_;
    VerilatedContext* ctx_;
    AxiMem mem_;
    std::unique_ptr<Vhwgen_top> top_;
#if VM_TRACE_FST
    std::unique_ptr<VerilatedFstC> tfp_;
#endif
    AxiMasterPins pins_;
    Profiler* profiler_ = nullptr;
    uint64_t cycle_ = 0;
    bool irq_seen_ = false;
    uint64_t irq_cycle_ = 0;
    bool hs_aw_ = false, hs_w_ = false, hs_b_ = false, hs_ar_ = false, hs_r_ = false;
    uint32_t rdata_ = 0;
};

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

// Names the stalled units from UNIT_STATUS and TOKENS (bit layout: docs/isa.md, IsaSpec.Registers).
std::string diagnose(uint32_t us, uint32_t tokens) {
    auto bit = [us](int b) { return ((us >> b) & 1u) != 0; };
    auto tok = [tokens](int i) { return std::to_string((tokens >> (8 * i)) & 0xffu); };
    const std::string ld2ex = "LD->EX=" + tok(0), ex2ld = "EX->LD=" + tok(1), ex2st = "EX->ST=" + tok(2),
                      st2ex = "ST->EX=" + tok(3);
    auto unit = [&](const char* name, int queue_bit, int busy_bit, int wait_bit) {
        std::string s = std::string(name) + " queue " + (bit(queue_bit) ? "non-empty" : "empty") + ", " + name +
                        " unit " + (bit(wait_bit) ? "waiting" : bit(busy_bit) ? "busy" : "idle");
        return s;
    };
    std::vector<std::string> parts;
    if (bit(6)) parts.push_back("load unit waits for a dependency token: " + ex2ld + "; " + unit("exec", 3, 7, 8));
    if (bit(8)) parts.push_back("exec unit waits for a dependency token: " + ld2ex + ", " + st2ex + "; " +
                                unit("load", 2, 5, 6) + "; " + unit("store", 4, 9, 10));
    if (bit(10)) parts.push_back("store unit waits for a dependency token: " + ex2st + "; " + unit("exec", 3, 7, 8));
    if (bit(5) && !bit(6)) parts.push_back("load unit busy without progress");
    if (bit(7) && !bit(8)) parts.push_back("exec unit busy without progress");
    if (bit(9) && !bit(10)) parts.push_back("store unit busy without progress");
    if (parts.empty()) parts.push_back("no unit is busy or waits for a token");
    std::string fetch = bit(0) ? "fetch has instructions left" : "fetch: every instruction dispatched";
    if (bit(1)) fetch += ", dispatch blocked by a full queue";
    parts.push_back(fetch);
    if (bit(11)) parts.push_back("AXI reads outstanding");
    if (bit(12)) parts.push_back("AXI writes outstanding");
    char raw[64];
    std::snprintf(raw, sizeof raw, "UNIT_STATUS=0x%04x TOKENS=0x%08x", us, tokens);
    parts.push_back(raw);
    std::string out;
    for (std::size_t i = 0; i < parts.size(); i++) out += (i ? "; " : "") + parts[i];
    return out;
}

void write_file(const std::string& path, const uint8_t* data, uint64_t len) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot create '" + path + "'");
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
    if (!out) throw IoError("cannot write '" + path + "'");
}

std::string to_json(const Result& r, Sim& sim) {
    std::ostringstream j;
    const auto& st = sim.mem().stats();
    const double cps = r.wall > 0 ? static_cast<double>(sim.cycle()) / r.wall : 0.0;
    char buf[64];
    j << "{\n";
    j << "  \"status\": \"" << r.status << "\",\n";
    j << "  \"reason\": \"" << json_escape(r.reason) << "\",\n";
    j << "  \"cycles\": " << r.cycles << ",\n";
    j << "  \"total_cycles\": " << sim.cycle() << ",\n";
    j << "  \"irq\": " << (r.irq ? "true" : "false") << ",\n";
    j << "  \"status_reg\": " << r.status_reg << ",\n";
    j << "  \"error_code\": " << r.error_code << ",\n";
    j << "  \"error_pc\": " << r.error_pc << ",\n";
    j << "  \"unit_status\": " << r.unit_status << ",\n";
    j << "  \"tokens\": " << r.tokens << ",\n";
    j << "  \"stalled\": \"" << json_escape(r.stalled) << "\",\n";
    j << "  \"hw_id\": " << r.hw_id << ",\n";
    j << "  \"hw_config\": " << r.hw_config << ",\n";
    j << "  \"axi_data_bits\": " << kDataBytes * 8 << ",\n";
    j << "  \"counters\": {";
    for (std::size_t i = 0; i < r.counters.size(); i++) {
        j << (i ? ", " : "") << "\"" << hwgen::kCounterNames[i] << "\": " << r.counters[i];
    }
    j << "},\n";
    std::snprintf(buf, sizeof buf, "%.6f", r.wall);
    j << "  \"sim_wall_seconds\": " << buf << ",\n";
    std::snprintf(buf, sizeof buf, "%.1f", cps);
    j << "  \"cycles_per_second\": " << buf << ",\n";
    j << "  \"axi\": {\"ar\": " << st.ar << ", \"aw\": " << st.aw << ", \"r_beats\": " << st.r_beats
      << ", \"w_beats\": " << st.w_beats << ", \"b\": " << st.b << ", \"read_errors\": " << st.read_errors
      << ", \"write_errors\": " << st.write_errors << ", \"reads_outstanding\": " << sim.mem().reads_outstanding()
      << ", \"writes_outstanding\": " << sim.mem().writes_outstanding() << "},\n";
    j << "  \"protocol_violations\": " << sim.mem().violation_count() << ",\n";
    j << "  \"violations\": [";
    const auto& v = sim.mem().violations();
    for (std::size_t i = 0; i < v.size(); i++) j << (i ? ", " : "") << "\"" << json_escape(v[i]) << "\"";
    j << "]\n}\n";
    return j.str();
}

int run(int argc, char** argv) {
    const Options opt = parse_args(argc, argv);
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
#if VM_TRACE_FST
    if (!opt.trace.empty()) ctx->traceEverOn(true);
#endif
    Sim sim(opt, ctx.get());
    sim.load_image();
    Profiler profiler;
    if (!opt.profile.empty()) {
        profiler.decode(sim.mem().memory(), opt.prog_addr, opt.prog_len);
        sim.set_profiler(&profiler);
    }

    Result r;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        sim.reset(8);
        sim.axil_write(hwgen::kRegProgAddr, static_cast<uint32_t>(opt.prog_addr));
        sim.axil_write(hwgen::kRegProgLen, static_cast<uint32_t>(opt.prog_len));
        sim.axil_write(hwgen::kRegCtrl, 0x2u);  // IRQ_EN
        sim.axil_write(hwgen::kRegCtrl, 0x3u);  // IRQ_EN | START
        const uint64_t start = sim.cycle();
        sim.arm_irq();
        profiler.arm(!opt.profile.empty());
        const uint64_t limit = start + opt.max_cycles;
        // Watchdog: progress is an AXI handshake or a change of any counter other than cycles
        // and *_wait, sampled over AXI4-Lite every N/8 cycles (the reads do not disturb the run).
        const uint64_t sample_every = std::max<uint64_t>(1, opt.watchdog / 8);
        std::vector<uint32_t> progress_regs;
        for (int i = 0; i < hwgen::kCounterCount; i++) {
            const std::string name = hwgen::kCounterNames[i];
            if (name == "cycles" || (name.size() > 5 && name.compare(name.size() - 5, 5, "_wait") == 0)) continue;
            progress_regs.push_back(hwgen::kCounterBase + 8u * static_cast<uint32_t>(i));
        }
        std::vector<uint32_t> last_sample(progress_regs.size(), 0);
        uint64_t last_progress = start;
        uint64_t next_sample = start + sample_every;
        bool finished = false;
        while (!finished) {
            if (opt.poll > 0) {
                for (uint64_t i = 0; i < opt.poll && !sim.irq_seen(); i++) sim.tick();
                const uint32_t s = sim.axil_read(hwgen::kRegStatus);
                finished = (s & 0x6u) != 0;
            } else {
                sim.tick();
                finished = sim.irq_seen();
            }
            if (opt.watchdog > 0 && !finished && sim.cycle() >= next_sample) {
                bool changed = false;
                for (std::size_t i = 0; i < progress_regs.size(); i++) {
                    const uint32_t v = sim.axil_read(progress_regs[i]);
                    changed = changed || v != last_sample[i];
                    last_sample[i] = v;
                }
                if (changed) last_progress = sim.cycle();
                next_sample = sim.cycle() + sample_every;
                finished = sim.irq_seen() || (opt.poll > 0 && (sim.axil_read(hwgen::kRegStatus) & 0x6u) != 0);
                const uint64_t axi = std::max(start, sim.mem().stats().last_activity_cycle);
                if (!finished && sim.cycle() - std::max(last_progress, axi) > opt.watchdog) {
                    r.status = "hang";
                    r.reason = "watchdog: no progress for " + std::to_string(opt.watchdog) +
                               " cycles (no AXI handshake, no counter other than cycles and *_wait changed)";
                    break;
                }
            }
            if (finished) break;
            if (sim.cycle() >= limit) {
                r.reason = "no DONE or ERROR within " + std::to_string(opt.max_cycles) + " cycles";
                break;
            }
        }
        profiler.arm(false);
        r.irq = sim.irq_seen();
        r.cycles = (r.irq ? sim.irq_cycle() : sim.cycle()) - start;
        r.status_reg = sim.axil_read(hwgen::kRegStatus);
        if (finished) r.status = (r.status_reg & 0x4u) ? "error" : "done";
        r.unit_status = sim.axil_read(hwgen::kRegUnitStatus);
        r.tokens = sim.axil_read(hwgen::kRegTokens);
        if (!finished) r.stalled = diagnose(r.unit_status, r.tokens);
        r.error_code = sim.axil_read(hwgen::kRegErrCode);
        r.error_pc = sim.axil_read(hwgen::kRegErrPc);
        r.hw_id = sim.axil_read(hwgen::kRegHwId);
        r.hw_config = sim.axil_read(hwgen::kRegHwConfig);
        for (int i = 0; i < hwgen::kCounterCount; i++) {
            const uint32_t base = hwgen::kCounterBase + 8u * static_cast<uint32_t>(i);
            const uint64_t lo = sim.axil_read(base);
            const uint64_t hi = sim.axil_read(base + 4u);
            r.counters.push_back(lo | (hi << 32));
        }
    } catch (const AxilTimeout& e) {
        r.status = "timeout";
        r.reason = e.what();
    }
    r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const auto& mem = sim.mem().memory();
    for (const auto& d : opt.dumps) {
        if (d.addr + d.len > mem.size()) {
            throw UsageError("--dump " + std::to_string(d.addr) + ":" + std::to_string(d.len) + " lies outside the memory");
        }
        write_file(d.file, mem.data() + d.addr, d.len);
    }
    if (!opt.dump_all.empty()) write_file(opt.dump_all, mem.data(), mem.size());
    if (!opt.profile.empty()) profiler.write(opt.profile);

    const std::string json = to_json(r, sim);
    if (opt.json.empty()) {
        std::fwrite(json.data(), 1, json.size(), stdout);
    } else {
        std::ofstream out(opt.json, std::ios::trunc);
        if (!out) throw IoError("cannot create '" + opt.json + "'");
        out << json;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "hwgen_sim: %s\n", e.what());
        return 2;
    } catch (const IoError& e) {
        std::fprintf(stderr, "hwgen_sim: %s\n", e.what());
        return 3;
    } catch (const AxilTimeout& e) {
        std::fprintf(stderr, "hwgen_sim: %s\n", e.what());
        return 4;
    }
}
