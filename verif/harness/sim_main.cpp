// HwGen Verilator harness: runs one program on hwgen_top against an AXI4 memory model.
//
// Usage: hwgen_sim --image FILE --prog-addr ADDR --prog-len N [options]
//
//   --image FILE          initial DRAM image (byte 0 = address 0)
//   --mem-size BYTES      DRAM size (default: image size rounded up to whole AXI beats; larger sizes are zero-filled)
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
// execute instruction finished (the final stores). The counts add up to "cycles". Then one line
// "store PC BUSY OVERLAP NORM" per store-queue instruction the store unit was busy on: its busy
// cycles, those in which the array also took a row, and 1 for a normalize.
//
// Sources: options.* (command line), sim.* (clock loop, memory model, trace), axil_driver.*
// (AXI4-Lite master), profiler.* (--profile), diagnose.* (hang diagnosis), result_json.*
// (JSON and dumps); this file runs the program and maps errors to exit codes.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "axil_driver.h"
#include "diagnose.h"
#include "harness_errors.h"
#include "hwgen_harness_params.h"
#include "options.h"
#include "profiler.h"
#include "result_json.h"
#include "sim.h"
#include "verilated.h"

namespace {

using namespace hwgen;

int run(int argc, char** argv) {
    const Options opt = parse_args(argc, argv);
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
#if VM_TRACE_FST
    if (!opt.trace.empty()) ctx->traceEverOn(true);
#endif
    Sim sim(opt, ctx.get());
    sim.load_image();
    AxilDriver axil(sim);
    Profiler profiler;
    if (!opt.profile.empty()) {
        profiler.decode(sim.mem().memory(), opt.prog_addr, opt.prog_len);
        sim.set_profiler(&profiler);
    }

    Result r;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        sim.reset(8);
        axil.write(hwgen::kRegProgAddr, static_cast<uint32_t>(opt.prog_addr));
        axil.write(hwgen::kRegProgLen, static_cast<uint32_t>(opt.prog_len));
        const uint32_t irq_en = 1u << hwgen::kRegCtrlIrqEnLsb;
        axil.write(hwgen::kRegCtrl, irq_en);
        axil.write(hwgen::kRegCtrl, irq_en | (1u << hwgen::kRegCtrlStartLsb));
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
                const uint32_t s = axil.read(hwgen::kRegStatus);
                finished = finished_status(s);
            } else {
                sim.tick();
                finished = sim.irq_seen();
            }
            if (opt.watchdog > 0 && !finished && sim.cycle() >= next_sample) {
                bool changed = false;
                for (std::size_t i = 0; i < progress_regs.size(); i++) {
                    const uint32_t v = axil.read(progress_regs[i]);
                    changed = changed || v != last_sample[i];
                    last_sample[i] = v;
                }
                if (changed) last_progress = sim.cycle();
                next_sample = sim.cycle() + sample_every;
                finished = sim.irq_seen() || (opt.poll > 0 && finished_status(axil.read(hwgen::kRegStatus)));
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
        r.status_reg = axil.read(hwgen::kRegStatus);
        if (finished) r.status = hwgen::reg_field(r.status_reg, hwgen::kRegStatusErrorLsb, 1) ? "error" : "done";
        r.unit_status = axil.read(hwgen::kRegUnitStatus);
        r.tokens = axil.read(hwgen::kRegTokens);
        if (!finished) r.stalled = diagnose(r.unit_status, r.tokens);
        r.error_code = axil.read(hwgen::kRegErrCode);
        r.error_pc = axil.read(hwgen::kRegErrPc);
        r.hw_id = axil.read(hwgen::kRegHwId);
        r.hw_config = axil.read(hwgen::kRegHwConfig);
        for (int i = 0; i < hwgen::kCounterCount; i++) {
            const uint32_t base = hwgen::kCounterBase + 8u * static_cast<uint32_t>(i);
            const uint64_t lo = axil.read(base);
            const uint64_t hi = axil.read(base + 4u);
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
    // Without --mem-size the memory is the image rounded up to whole beats; the dump is the image's bytes.
    if (!opt.dump_all.empty()) write_file(opt.dump_all, mem.data(), opt.mem_size == 0 ? sim.image_bytes() : mem.size());
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
