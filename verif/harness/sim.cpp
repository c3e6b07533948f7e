// Setup of the harness's simulation: model, trace, memory image.
#include "sim.h"

#include <fstream>

#include "harness_errors.h"

namespace hwgen {

Sim::Sim(const Options& opt, VerilatedContext* ctx) : opt_(opt), ctx_(ctx), mem_(make_mem_config(opt)) {
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

Sim::~Sim() {
#if VM_TRACE_FST
    if (tfp_) tfp_->close();
#endif
    top_->final();
}

void Sim::load_image() {
    std::ifstream in(opt_.image, std::ios::binary | std::ios::ate);
    if (!in) throw IoError("cannot open image '" + opt_.image + "'");
    const auto n = static_cast<uint64_t>(in.tellg());
    if (n > mem_.memory().size()) {
        throw IoError("image '" + opt_.image + "' is larger than --mem-size");
    }
    in.seekg(0);
    in.read(reinterpret_cast<char*>(mem_.memory().data()), static_cast<std::streamsize>(n));
    if (!in) throw IoError("cannot read image '" + opt_.image + "'");
    image_bytes_ = n;
}

AxiMemConfig Sim::make_mem_config(const Options& o) {
    AxiMemConfig c = o.mem;
    c.data_bytes = kDataBytes;
    uint64_t size = o.mem_size;
    if (size == 0) {
        std::ifstream in(o.image, std::ios::binary | std::ios::ate);
        if (!in) throw IoError("cannot open image '" + o.image + "'");
        size = static_cast<uint64_t>(in.tellg());
        // A memory holds whole bus beats: a program whose last word ends inside a beat must not fault on that beat.
        const auto beat = static_cast<uint64_t>(kDataBytes);
        size = (size + beat - 1) / beat * beat;
    }
    c.size = size;
    return c;
}

void Sim::clear_axil() {
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

}  // namespace hwgen
