// Command-line parsing of the harness.
#include "options.h"

#include <cstdlib>

#include "harness_errors.h"

namespace hwgen {
namespace {

uint64_t parse_u64(const std::string& text, const std::string& what) {
    if (text.empty()) throw UsageError(what + ": empty number");
    char* end = nullptr;
    const uint64_t v = std::strtoull(text.c_str(), &end, 0);
    if (end == nullptr || *end != '\0') throw UsageError(what + ": not a number: '" + text + "'");
    return v;
}

}  // namespace

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

}  // namespace hwgen
