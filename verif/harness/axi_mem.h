// HwGen AXI4 slave memory model (header-only, no Verilator dependency).
//
// One instance models a flat, byte-addressed, little-endian DRAM behind an AXI4 slave port.
// The harness calls, once per clock cycle:
//
//   1. drive()            -> computes the slave outputs for this cycle (out())
//   2. (copy out() to the DUT pins, evaluate the DUT with clk low)
//   3. step(master_pins)  -> samples handshakes (valid && ready), updates the state,
//                            advances the cycle counter
//   4. (rising clock edge)
//
// Slave outputs never depend combinationally on the master's outputs of the same cycle,
// so the model is AXI compliant whatever the master does.
//
// Behaviour:
//   * INCR and FIXED bursts, any size up to the bus width, unaligned start addresses,
//     byte strobes. WRAP bursts and bursts crossing a 4 KiB boundary are recorded as
//     protocol violations (and served as INCR).
//   * Any beat touching a byte at or beyond the memory size answers DECERR (reads return
//     zeros, writes are dropped for those bytes); beats overlapping the SLVERR range answer
//     SLVERR (reads return zeros, writes are dropped).
//   * read_latency: cycles from the AR handshake to the earliest first R beat;
//     write_latency: cycles from the last W beat to the earliest B response.
//   * max_reads / max_writes: outstanding bursts (AR accepted, last R not sent / AW accepted,
//     B not sent). Responses return in order (per ID and across IDs).
//   * Optional seeded randomness: extra latency 0..jitter per burst and, with probability
//     stall_pct %, a withheld ready (AR/AW/W) or a delayed valid (R/B) on every channel, each
//     cycle. A valid, once raised, stays high until its handshake.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace hwgen {

constexpr int kMaxDataBytes = 128;  // up to 1024-bit buses

struct AxiMemConfig {
    uint64_t size = 0;         // bytes of memory
    int data_bytes = 4;        // bus width in bytes (power of two)
    int read_latency = 1;      // >= 1
    int write_latency = 1;     // >= 1
    int max_reads = 8;         // outstanding read bursts
    int max_writes = 8;        // outstanding write bursts
    uint64_t seed = 0;
    int jitter = 0;            // extra random latency 0..jitter cycles per burst
    int stall_pct = 0;         // per-channel per-cycle backpressure probability (percent)
    bool slverr = false;       // inject SLVERR for beats overlapping [slverr_lo, slverr_hi)
    uint64_t slverr_lo = 0;
    uint64_t slverr_hi = 0;
    bool slverr_reads = true;  // the SLVERR range applies to read beats
    bool slverr_writes = true; // the SLVERR range applies to write beats
};

// One address channel's payload (AR or AW): what a burst request carries besides VALID.
struct AxiAddress {
    uint32_t id = 0;
    uint64_t addr = 0;
    uint32_t len = 0;    // beats - 1
    uint32_t size = 0;   // log2(bytes per beat)
    uint32_t burst = 1;  // INCR
};

// What the master drives (sampled after the DUT evaluated with clk low).
struct AxiMasterPins {
    bool arvalid = false;
    AxiAddress ar;
    bool rready = false;

    bool awvalid = false;
    AxiAddress aw;
    bool wvalid = false;
    uint8_t wdata[kMaxDataBytes] = {};
    uint8_t wstrb[kMaxDataBytes] = {};  // one byte per lane: 0 or 1
    bool wlast = false;
    bool bready = false;
};

// What the slave drives.
struct AxiSlavePins {
    bool arready = false;
    bool rvalid = false;
    uint32_t rid = 0;
    uint8_t rdata[kMaxDataBytes] = {};
    uint32_t rresp = 0;
    bool rlast = false;

    bool awready = false;
    bool wready = false;
    bool bvalid = false;
    uint32_t bid = 0;
    uint32_t bresp = 0;
};

enum : uint32_t { kRespOkay = 0, kRespExOkay = 1, kRespSlvErr = 2, kRespDecErr = 3 };
enum : uint32_t { kBurstFixed = 0, kBurstIncr = 1, kBurstWrap = 2 };

struct AxiStats {
    uint64_t ar = 0, aw = 0, r_beats = 0, w_beats = 0, b = 0;
    uint64_t read_errors = 0, write_errors = 0;  // bursts answered SLVERR/DECERR
    uint64_t last_activity_cycle = 0;            // last cycle with any handshake
};

class AxiMem {
public:
    explicit AxiMem(const AxiMemConfig& cfg) : cfg_(cfg), mem_(cfg.size, 0), rng_(cfg.seed) {
        if (cfg_.read_latency < 1) cfg_.read_latency = 1;
        if (cfg_.write_latency < 1) cfg_.write_latency = 1;
        if (cfg_.max_reads < 1) cfg_.max_reads = 1;
        if (cfg_.max_writes < 1) cfg_.max_writes = 1;
    }

    std::vector<uint8_t>& memory() { return mem_; }
    const std::vector<uint8_t>& memory() const { return mem_; }
    const AxiSlavePins& out() const { return out_; }
    const AxiStats& stats() const { return stats_; }
    uint64_t cycle() const { return cycle_; }
    const std::vector<std::string>& violations() const { return violations_; }
    uint64_t violation_count() const { return violation_count_; }
    int reads_outstanding() const { return static_cast<int>(reads_.size()); }
    int writes_outstanding() const { return static_cast<int>(writes_.size()); }
    bool idle() const { return reads_.empty() && writes_.empty(); }

    // Computes this cycle's slave outputs.
    void drive() {
        out_.arready = static_cast<int>(reads_.size()) < cfg_.max_reads && !stall();
        out_.awready = static_cast<int>(writes_.size()) < cfg_.max_writes && !stall();
        out_.wready = first_unfinished_write() != nullptr && !stall();

        if (!out_.rvalid) {
            if (!reads_.empty() && reads_.front().ready_cycle <= cycle_ && !stall()) {
                present_read_beat();
            }
        }

        if (!out_.bvalid) {
            if (!writes_.empty() && writes_.front().beats_left == 0 &&
                writes_.front().ready_cycle <= cycle_ && !stall()) {
                const Burst& w = writes_.front();
                out_.bvalid = true;
                out_.bid = w.id;
                out_.bresp = w.resp;
            }
        }
    }

    // Samples the handshakes of this cycle and advances one cycle.
    void step(const AxiMasterPins& m) {
        bool any = false;
        if (m.arvalid && out_.arready) {
            any = true;
            stats_.ar++;
            Burst b = make_burst(m.ar, "AR");
            b.ready_cycle = cycle_ + static_cast<uint64_t>(cfg_.read_latency) + extra_latency();
            reads_.push_back(b);
        }
        if (out_.rvalid && m.rready) {
            any = true;
            stats_.r_beats++;
            Burst& r = reads_.front();
            if (out_.rresp != kRespOkay) r.resp = out_.rresp;
            r.beat++;
            out_.rvalid = false;
            if (r.beat == r.len + 1) {
                if (r.resp != kRespOkay) stats_.read_errors++;
                reads_.pop_front();
            }
        }
        if (m.awvalid && out_.awready) {
            any = true;
            stats_.aw++;
            Burst b = make_burst(m.aw, "AW");
            b.beats_left = b.len + 1;
            writes_.push_back(b);
        }
        if (m.wvalid && out_.wready) {
            any = true;
            stats_.w_beats++;
            Burst* w = first_unfinished_write();
            write_beat(*w, m);
        }
        if (out_.bvalid && m.bready) {
            any = true;
            stats_.b++;
            if (writes_.front().resp != kRespOkay) stats_.write_errors++;
            writes_.pop_front();
            out_.bvalid = false;
        }
        if (any) stats_.last_activity_cycle = cycle_;
        cycle_++;
    }

private:
    struct Burst {
        uint32_t id = 0;
        uint64_t addr = 0;
        uint32_t len = 0;    // beats - 1
        uint32_t size = 0;   // log2 bytes per beat
        uint32_t burst = 1;
        uint32_t beat = 0;   // next beat index
        uint32_t beats_left = 0;
        uint32_t resp = kRespOkay;
        uint64_t ready_cycle = 0;
    };

    bool stall() {
        if (cfg_.stall_pct <= 0) return false;
        return static_cast<int>(rng_() % 100) < cfg_.stall_pct;
    }

    uint64_t extra_latency() {
        if (cfg_.jitter <= 0) return 0;
        return rng_() % static_cast<uint64_t>(cfg_.jitter + 1);
    }

    void violation(const std::string& what) {
        violation_count_++;
        if (violations_.size() < 16) {
            violations_.push_back("cycle " + std::to_string(cycle_) + ": " + what);
        }
    }

    Burst make_burst(const AxiAddress& a, const char* channel) {
        Burst b;
        b.id = a.id;
        b.addr = a.addr;
        b.len = a.len;
        b.size = a.size;
        b.burst = a.burst;
        const uint64_t bytes = 1ull << a.size;
        if (bytes > static_cast<uint64_t>(cfg_.data_bytes)) {
            violation(std::string(channel) + " size " + std::to_string(bytes) +
                      " bytes exceeds the bus width");
            b.size = 0;
            while ((2ull << b.size) <= static_cast<uint64_t>(cfg_.data_bytes)) b.size++;
        }
        if (a.burst == kBurstWrap || a.burst == 3) {
            violation(std::string(channel) + " burst type " + std::to_string(a.burst) +
                      " (only INCR/FIXED supported)");
            b.burst = kBurstIncr;
        }
        if (b.burst == kBurstIncr) {
            const uint64_t aligned = a.addr & ~((1ull << b.size) - 1);
            const uint64_t last = aligned + (static_cast<uint64_t>(a.len) << b.size) + (1ull << b.size) - 1;
            if ((a.addr >> 12) != (last >> 12)) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "%s burst at 0x%llx, %u beats of %llu bytes crosses a 4 KiB boundary",
                              channel, static_cast<unsigned long long>(a.addr), a.len + 1,
                              static_cast<unsigned long long>(1ull << b.size));
                violation(buf);
            }
        }
        return b;
    }

    // Address of beat i (AXI spec: beat 0 at the start address, later beats size-aligned).
    static uint64_t beat_address(const Burst& b, uint32_t i) {
        if (b.burst == kBurstFixed || i == 0) return b.addr;
        const uint64_t aligned = b.addr & ~((1ull << b.size) - 1);
        return aligned + (static_cast<uint64_t>(i) << b.size);
    }

    // Response for the bytes [lo, hi) of a beat.
    uint32_t beat_resp(uint64_t lo, uint64_t hi, bool write) const {
        if (hi > mem_.size()) return kRespDecErr;
        const bool applies = write ? cfg_.slverr_writes : cfg_.slverr_reads;
        if (cfg_.slverr && applies && lo < cfg_.slverr_hi && hi > cfg_.slverr_lo) return kRespSlvErr;
        return kRespOkay;
    }

    // The byte lanes [lane_lo, lane_hi) a beat carries.
    void beat_lanes(const Burst& b, uint64_t addr, uint64_t* lo, uint64_t* hi) const {
        const uint64_t nbytes = 1ull << b.size;
        const uint64_t end = (addr & ~(nbytes - 1)) + nbytes;  // exclusive
        *lo = addr;
        *hi = end;
    }

    void present_read_beat() {
        const Burst& r = reads_.front();
        const uint64_t addr = beat_address(r, r.beat);
        uint64_t lo, hi;
        beat_lanes(r, addr, &lo, &hi);
        const uint32_t resp = beat_resp(lo, hi, false);
        const uint64_t bus_base = addr & ~static_cast<uint64_t>(cfg_.data_bytes - 1);
        if (resp == kRespOkay) {
            // Return the whole aligned bus word when it lies inside memory; else the valid lanes.
            if (bus_base + cfg_.data_bytes <= mem_.size()) {
                std::memcpy(out_.rdata, &mem_[bus_base], cfg_.data_bytes);
            } else {
                std::memset(out_.rdata, 0, cfg_.data_bytes);
                for (uint64_t a = lo; a < hi; a++) out_.rdata[a - bus_base] = mem_[a];
            }
        } else {
            std::memset(out_.rdata, 0, cfg_.data_bytes);
        }
        out_.rvalid = true;
        out_.rid = r.id;
        out_.rresp = resp;
        out_.rlast = r.beat == r.len;
    }

    Burst* first_unfinished_write() {
        for (auto& w : writes_) {
            if (w.beats_left > 0) return &w;
        }
        return nullptr;
    }

    void write_beat(Burst& w, const AxiMasterPins& m) {
        const uint32_t i = w.len + 1 - w.beats_left;
        const uint64_t addr = beat_address(w, i);
        uint64_t lo, hi;
        beat_lanes(w, addr, &lo, &hi);
        const uint64_t bus_base = addr & ~static_cast<uint64_t>(cfg_.data_bytes - 1);
        bool strobed_outside = false;
        for (int lane = 0; lane < cfg_.data_bytes; lane++) {
            if (!m.wstrb[lane]) continue;
            const uint64_t a = bus_base + static_cast<uint64_t>(lane);
            if (a < lo || a >= hi) strobed_outside = true;
        }
        if (strobed_outside) violation("W strobe outside the lanes of the beat address");
        // Response is decided by the strobed bytes (or the beat's lanes when nothing is strobed).
        uint64_t s_lo = UINT64_MAX, s_hi = 0;
        for (uint64_t a = lo; a < hi; a++) {
            if (m.wstrb[a - bus_base]) {
                s_lo = std::min(s_lo, a);
                s_hi = std::max(s_hi, a + 1);
            }
        }
        const uint32_t resp = s_hi == 0 ? beat_resp(lo, hi, true) : beat_resp(s_lo, s_hi, true);
        if (resp == kRespOkay) {
            for (uint64_t a = lo; a < hi; a++) {
                if (m.wstrb[a - bus_base]) mem_[a] = m.wdata[a - bus_base];
            }
        } else if (w.resp == kRespOkay || resp == kRespDecErr) {
            w.resp = resp;
        }
        w.beats_left--;
        const bool last = w.beats_left == 0;
        if (m.wlast != last) {
            violation(std::string("WLAST ") + (m.wlast ? "set early" : "missing") + " on beat " +
                      std::to_string(i) + " of a " + std::to_string(w.len + 1) + "-beat burst");
        }
        if (last) {
            w.ready_cycle = cycle_ + static_cast<uint64_t>(cfg_.write_latency) + extra_latency();
        }
    }

    AxiMemConfig cfg_;
    std::vector<uint8_t> mem_;
    std::mt19937_64 rng_;
    AxiSlavePins out_;
    AxiStats stats_;
    std::deque<Burst> reads_;
    std::deque<Burst> writes_;
    uint64_t cycle_ = 0;
    std::vector<std::string> violations_;
    uint64_t violation_count_ = 0;
};

}  // namespace hwgen
