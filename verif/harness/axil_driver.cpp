// The harness's AXI4-Lite master.
#include "axil_driver.h"

#include "harness_errors.h"

namespace hwgen {

void AxilDriver::write(uint32_t addr, uint32_t data) {
    Vhwgen_top& t = sim_.top();
    bool aw = false, w = false;
    const uint64_t limit = sim_.cycle() + kAxilTimeout;
    t.s_axil_awaddr = addr;
    t.s_axil_wdata = data;
    t.s_axil_wstrb = 0xf;
    t.s_axil_bready = 1;
    while (!(aw && w)) {
        t.s_axil_awvalid = !aw;
        t.s_axil_wvalid = !w;
        sim_.tick();
        aw = aw || sim_.hs_aw();
        w = w || sim_.hs_w();
        if (sim_.cycle() > limit) throw AxilTimeout("AXI4-Lite write to " + hex(addr) + " was not accepted");
    }
    t.s_axil_awvalid = 0;
    t.s_axil_wvalid = 0;
    while (!sim_.hs_b()) {
        sim_.tick();
        if (sim_.cycle() > limit) throw AxilTimeout("AXI4-Lite write to " + hex(addr) + " got no response");
    }
    t.s_axil_bready = 0;
}

uint32_t AxilDriver::read(uint32_t addr) {
    Vhwgen_top& t = sim_.top();
    const uint64_t limit = sim_.cycle() + kAxilTimeout;
    t.s_axil_araddr = addr;
    t.s_axil_arvalid = 1;
    t.s_axil_rready = 1;
    bool ar = false;
    while (!ar) {
        sim_.tick();
        ar = sim_.hs_ar();
        if (sim_.cycle() > limit) throw AxilTimeout("AXI4-Lite read of " + hex(addr) + " was not accepted");
    }
    t.s_axil_arvalid = 0;
    while (!sim_.hs_r()) {
        sim_.tick();
        if (sim_.cycle() > limit) throw AxilTimeout("AXI4-Lite read of " + hex(addr) + " got no data");
    }
    t.s_axil_rready = 0;
    return sim_.rdata();
}

}  // namespace hwgen
