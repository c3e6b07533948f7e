// The execute-unit profiler of the harness (--profile).
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "hwgen_harness_params.h"

namespace hwgen {

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
// the store queue's handshakes. The signals come from hwgen_top's dbg_profile output (DebugPort;
// bit positions from hwgen_harness_params.h), not from internal signal names.
class Profiler {
public:
    void decode(const std::vector<uint8_t>& mem, uint64_t prog_addr, uint64_t prog_len) {
        prog_len_ = prog_len;
        for (uint64_t pc = 0; pc < prog_len; pc++) {
            const uint64_t at = prog_addr + pc * 16u;
            if (at + 16u > mem.size()) break;
            const uint8_t* w = mem.data() + at;
            const uint32_t opcode = field(w, kOpcodeLsb, kOpcodeWidth);
            const int unit = opcode_unit(opcode);
            if (unit == kUnitNone) break;  // fetch faults here; nothing after it is dispatched
            if (unit == kUnitExecute) {
                exec_pc_.push_back(pc);
                exec_flags_.push_back(static_cast<uint8_t>((field(w, kPopPrevBit, 1) ? kNeedLd : 0) |
                                                           (field(w, kPopNextBit, 1) ? kNeedSt : 0)));
            } else if (unit == kUnitStore) {
                store_norm_.push_back(opcode == static_cast<uint32_t>(kOpNormalize) ? 1 : 0);
                store_pc_.push_back(pc);
            }
        }
        counts_.assign((exec_pc_.size() + 1) * kCauseCount, 0);
        store_busy_.assign(store_pc_.size(), 0);
        store_overlap_.assign(store_pc_.size(), 0);
    }

    void arm(bool on) { armed_ = on; }

    inline void sample(uint32_t dbg) {
        const bool ex_take = on(dbg, kDbgExqValidBit) && on(dbg, kDbgExqReadyBit);
        const bool st_take = on(dbg, kDbgStqValidBit) && on(dbg, kDbgStqReadyBit);
        if (armed_) {
            const int64_t taken = static_cast<int64_t>(ex_taken_);
            const int64_t n = static_cast<int64_t>(exec_pc_.size());
            const bool p = on(dbg, kDbgExecPValidBit);
            const bool s = on(dbg, kDbgExecSValidBit);
            const bool busy = on(dbg, kDbgExecBusyBit);
            // S holds the last instruction that left P; P holds the last one taken.
            int64_t idx = s ? taken - (p ? 1 : 0) - 1 : (p || busy) ? taken - 1 : taken;
            idx = std::min(std::max<int64_t>(idx, 0), n);
            int cause;
            if (on(dbg, kDbgExecRowBit)) {
                cause = kCauseArrayActive;
            } else if (busy) {
                cause = kCausePipeline;
            } else if (on(dbg, kDbgExecWaitBit)) {
                const uint8_t f = taken > 0 && taken <= n ? exec_flags_[static_cast<std::size_t>(taken - 1)] : 0;
                if ((f & kNeedSt) && !on(dbg, kDbgSt2exAvailBit)) cause = store_side(dbg, false);
                else if ((f & kNeedLd) && !on(dbg, kDbgLd2exAvailBit)) cause = load_side(dbg);
                else cause = kCauseOther;
            } else if (p) {
                cause = kCausePipeline;
            } else if (taken >= n) {
                cause = store_side(dbg, true);
            } else {
                cause = starved(dbg);
            }
            counts_[static_cast<std::size_t>(idx) * kCauseCount + static_cast<std::size_t>(cause)]++;
            // The store unit's busy cycles per store-queue instruction (the last one it took), and how many of them
            // the array was also taking rows (a Softmax hidden under QKᵀ and P·V).
            if (on(dbg, kDbgStoreBusyBit) && st_taken_ > 0 && st_taken_ <= store_pc_.size()) {
                store_busy_[st_taken_ - 1]++;
                store_overlap_[st_taken_ - 1] += on(dbg, kDbgExecRowBit) ? 1u : 0u;
            }
        }
        ex_taken_ += ex_take ? 1u : 0u;
        st_taken_ += st_take ? 1u : 0u;
    }

    // Writes the profile file (--profile).
    void write(const std::string& path) const;

private:
    static bool on(uint32_t dbg, int bit) { return ((dbg >> bit) & 1u) != 0; }

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
        return norm ? kCauseNormalize : kCauseStore;
    }

    // The store unit stands between the execute unit and its ST->EX token (or, at the end, DONE).
    int store_side(uint32_t dbg, bool tail) const {
        const bool idle = !on(dbg, kDbgStoreBusyBit) && !on(dbg, kDbgStoreWaitBit) && !on(dbg, kDbgStqValidBit);
        if (idle) return tail ? kCauseOther : starved(dbg);
        return store_kind();
    }

    // The load unit stands between the execute unit and its LD->EX token.
    int load_side(uint32_t dbg) const {
        const bool idle = !on(dbg, kDbgLoadBusyBit) && !on(dbg, kDbgLoadWaitBit) && !on(dbg, kDbgLdqValidBit);
        return idle ? starved(dbg) : kCauseLoad;
    }

    // The instruction the execute unit needs next is not dispatched yet. Dispatch is in order: when
    // it is blocked by a full load (store) queue, the load (store) unit is what the array waits for;
    // otherwise instruction fetch is behind.
    int starved(uint32_t dbg) const {
        if (on(dbg, kDbgLdDispatchBlockedBit)) return kCauseLoad;
        if (on(dbg, kDbgStDispatchBlockedBit)) return store_kind();
        return kCauseFetch;
    }

    uint64_t prog_len_ = 0;
    std::vector<uint64_t> exec_pc_;
    std::vector<uint8_t> exec_flags_;
    std::vector<uint8_t> store_norm_;
    std::vector<uint64_t> store_pc_;
    std::vector<uint64_t> store_busy_;
    std::vector<uint64_t> store_overlap_;
    std::vector<uint64_t> counts_;
    uint64_t ex_taken_ = 0;
    uint64_t st_taken_ = 0;
    bool armed_ = false;
};

}  // namespace hwgen
