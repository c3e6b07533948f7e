// The profile file of the execute-unit profiler.
#include "profiler.h"

#include <fstream>

#include "harness_errors.h"

namespace hwgen {

void Profiler::write(const std::string& path) const {
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw IoError("cannot create '" + path + "'");
    out << "hwgen-exec-profile 1\ncauses";
    for (int c = 0; c < kCauseCount; c++) out << ' ' << kCauseNames[c];
    out << '\n';
    for (std::size_t i = 0; i <= exec_pc_.size(); i++) {
        const uint64_t* row = counts_.data() + i * kCauseCount;
        bool any = false;
        for (int c = 0; c < kCauseCount; c++) any = any || row[c] != 0;
        if (!any) continue;
        out << (i < exec_pc_.size() ? exec_pc_[i] : prog_len_);
        for (int c = 0; c < kCauseCount; c++) out << ' ' << row[c];
        out << '\n';
    }
    for (std::size_t i = 0; i < store_pc_.size(); i++) {
        if (store_busy_[i] == 0) continue;
        out << "store " << store_pc_[i] << ' ' << store_busy_[i] << ' ' << store_overlap_[i] << ' '
            << static_cast<int>(store_norm_[i]) << '\n';
    }
    if (!out) throw IoError("cannot write '" + path + "'");
}

}  // namespace hwgen
