// The clock loop of the harness: one Vhwgen_top model, the AXI4 memory model on its master
// port, the optional FST trace and the profiler's per-cycle sample.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "Vhwgen_top.h"
#include "axi_mem.h"
#include "options.h"
#include "pins.h"
#include "profiler.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

namespace hwgen {

class Sim {
public:
    Sim(const Options& opt, VerilatedContext* ctx);
    ~Sim();
    Sim(const Sim&) = delete;
    Sim& operator=(const Sim&) = delete;

    AxiMem& mem() { return mem_; }
    Vhwgen_top& top() { return *top_; }
    uint64_t cycle() const { return cycle_; }

    // Copies the --image file into the memory model.
    void load_image();
    // Bytes load_image copied (the memory may be larger: whole beats, or --mem-size).
    uint64_t image_bytes() const { return image_bytes_; }

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
        if (profiler_) profiler_->sample(static_cast<uint32_t>(t.dbg_profile));

        pins_.arvalid = t.m_axi_arvalid;
        pins_.rready = t.m_axi_rready;
        pins_.awvalid = t.m_axi_awvalid;
        pins_.wvalid = t.m_axi_wvalid;
        pins_.bready = t.m_axi_bready;
        if (pins_.arvalid && s.arready) {
            pins_.ar = {t.m_axi_arid, t.m_axi_araddr, t.m_axi_arlen, t.m_axi_arsize, t.m_axi_arburst};
        }
        if (pins_.awvalid && s.awready) {
            pins_.aw = {t.m_axi_awid, t.m_axi_awaddr, t.m_axi_awlen, t.m_axi_awsize, t.m_axi_awburst};
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

    // Handshakes of the AXI4-Lite port seen in the last tick() (for AxilDriver).
    bool hs_aw() const { return hs_aw_; }
    bool hs_w() const { return hs_w_; }
    bool hs_b() const { return hs_b_; }
    bool hs_ar() const { return hs_ar_; }
    bool hs_r() const { return hs_r_; }
    uint32_t rdata() const { return rdata_; }

private:
    static AxiMemConfig make_mem_config(const Options& o);
    void clear_axil();

    inline void dump_trace() {
#if VM_TRACE_FST
        if (tfp_) tfp_->dump(ctx_->time());
#endif
        ctx_->timeInc(1);
    }

    const Options& opt_;
    VerilatedContext* ctx_;
    AxiMem mem_;
    uint64_t image_bytes_ = 0;
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

}  // namespace hwgen
