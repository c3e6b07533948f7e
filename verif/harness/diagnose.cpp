// Hang diagnosis of the harness.
#include "diagnose.h"

#include <cstdio>
#include <vector>

#include "hwgen_harness_params.h"

namespace hwgen {

// Names the stalled units from UNIT_STATUS and TOKENS. The field positions come from
// hwgen_harness_params.h, rendered from IsaSpec.Registers (docs/isa.md).
std::string diagnose(uint32_t us, uint32_t tokens) {
    auto bit = [us](int lsb) { return reg_field(us, lsb, 1) != 0; };
    auto tok = [tokens](const char* name, int lsb, int width) {
        return std::string(name) + "=" + std::to_string(reg_field(tokens, lsb, width));
    };
    const std::string ld2ex = tok("LD->EX", kRegTokensLd2exLsb, kRegTokensLd2exWidth);
    const std::string ex2ld = tok("EX->LD", kRegTokensEx2ldLsb, kRegTokensEx2ldWidth);
    const std::string ex2st = tok("EX->ST", kRegTokensEx2stLsb, kRegTokensEx2stWidth);
    const std::string st2ex = tok("ST->EX", kRegTokensSt2exLsb, kRegTokensSt2exWidth);
    auto unit = [&](const char* name, int queue_bit, int busy_bit, int wait_bit) {
        return std::string(name) + " queue " + (bit(queue_bit) ? "non-empty" : "empty") + ", " + name + " unit " +
               (bit(wait_bit) ? "waiting" : bit(busy_bit) ? "busy" : "idle");
    };
    const std::string load = unit("load", kRegUnitStatusLoadQueueLsb, kRegUnitStatusLoadBusyLsb, kRegUnitStatusLoadWaitLsb);
    const std::string exec = unit("exec", kRegUnitStatusExecQueueLsb, kRegUnitStatusExecBusyLsb, kRegUnitStatusExecWaitLsb);
    const std::string store =
        unit("store", kRegUnitStatusStoreQueueLsb, kRegUnitStatusStoreBusyLsb, kRegUnitStatusStoreWaitLsb);
    std::vector<std::string> parts;
    if (bit(kRegUnitStatusLoadWaitLsb)) parts.push_back("load unit waits for a dependency token: " + ex2ld + "; " + exec);
    if (bit(kRegUnitStatusExecWaitLsb)) {
        parts.push_back("exec unit waits for a dependency token: " + ld2ex + ", " + st2ex + "; " + load + "; " + store);
    }
    if (bit(kRegUnitStatusStoreWaitLsb)) parts.push_back("store unit waits for a dependency token: " + ex2st + "; " + exec);
    if (bit(kRegUnitStatusLoadBusyLsb) && !bit(kRegUnitStatusLoadWaitLsb)) parts.push_back("load unit busy without progress");
    if (bit(kRegUnitStatusExecBusyLsb) && !bit(kRegUnitStatusExecWaitLsb)) parts.push_back("exec unit busy without progress");
    if (bit(kRegUnitStatusStoreBusyLsb) && !bit(kRegUnitStatusStoreWaitLsb)) parts.push_back("store unit busy without progress");
    if (parts.empty()) parts.push_back("no unit is busy or waits for a token");
    std::string fetch = bit(kRegUnitStatusFetchPendingLsb) ? "fetch has instructions left" : "fetch: every instruction dispatched";
    if (bit(kRegUnitStatusDispatchBlockedLsb)) fetch += ", dispatch blocked by a full queue";
    parts.push_back(fetch);
    if (bit(kRegUnitStatusAxiReadsLsb)) parts.push_back("AXI reads outstanding");
    if (bit(kRegUnitStatusAxiWritesLsb)) parts.push_back("AXI writes outstanding");
    char raw[64];
    std::snprintf(raw, sizeof raw, "UNIT_STATUS=0x%04x TOKENS=0x%08x", us, tokens);
    parts.push_back(raw);
    std::string out;
    for (std::size_t i = 0; i < parts.size(); i++) out += (i ? "; " : "") + parts[i];
    return out;
}

bool finished_status(uint32_t status) {
    return reg_field(status, kRegStatusDoneLsb, 1) || reg_field(status, kRegStatusErrorLsb, 1);
}

}  // namespace hwgen
