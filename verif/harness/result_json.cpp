// JSON output of the harness.
#include "result_json.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness_errors.h"
#include "hwgen_harness_params.h"

namespace hwgen {

void write_file(const std::string& path, const uint8_t* data, uint64_t len) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot create '" + path + "'");
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
    if (!out) throw IoError("cannot write '" + path + "'");
}

namespace {

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

}  // namespace

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
        j << (i ? ", " : "") << "\"" << kCounterNames[i] << "\": " << r.counters[i];
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

}  // namespace hwgen
