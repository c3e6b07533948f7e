`resetall
`timescale 1ns / 1ps
`default_nettype none

// Unit-test wrapper: execute unit + banked scratchpad + banked accumulator. Data ports are
// padded to fixed widths (32-byte scratchpad rows, 32-int32 accumulator rows) so one C++
// testbench drives every configuration. inj_b_stall refuses scratchpad port B on top of
// real bank conflicts.
module tb_exec_top #(
    parameter ROWS       = 4,
    parameter COLS       = 4,
    parameter TILE_ROWS  = 1,
    parameter TILE_COLS  = 1,
    parameter SUPPORT_WS = 1,
    parameter SUPPORT_OS = 1,
    parameter SP_DEPTH   = 256,
    parameter SP_BANKS   = 4,
    parameter ACC_DEPTH  = 128,
    parameter ACC_BANKS  = 2
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          s_insn_valid,
    output wire          s_insn_ready,
    input  wire [127:0]  s_insn_data,
    input  wire          tok_ld2ex_avail,
    output wire          tok_ld2ex_pop,
    input  wire          tok_st2ex_avail,
    output wire          tok_st2ex_pop,
    output wire          tok_ex2ld_push,
    output wire          tok_ex2st_push,
    input  wire          halt,
    output wire          idle,
    output wire          stat_busy,
    output wire          stat_wait,
    output wire          stat_row,
    output wire [31:0]   stat_macs,
    input  wire          inj_b_stall,
    // backdoor-ish access through the real memory ports
    input  wire          sp_wr_en,
    input  wire [19:0]   sp_wr_addr,
    input  wire [255:0]  sp_wr_data,
    input  wire          acc_ld_en,
    input  wire [19:0]   acc_ld_addr,
    input  wire [1023:0] acc_ld_data,
    output wire          acc_ld_ready,
    input  wire          acc_st_en,
    input  wire [19:0]   acc_st_addr,
    output wire          acc_st_ready,
    output wire [1023:0] acc_st_data,
    // monitors
    output wire          mon_sp_a,
    output wire          mon_sp_b,
    output wire          mon_acc_wr,
    output wire [19:0]   mon_acc_wr_addr
);
    localparam SPB    = (ROWS > COLS) ? ROWS : COLS;
    localparam SP_AW  = $clog2(SP_DEPTH);
    localparam ACC_AW = $clog2(ACC_DEPTH);

    wire              sp_a_en;
    wire [SP_AW-1:0]  sp_a_addr;
    wire [SPB*8-1:0]  sp_a_data;
    wire              sp_b_en;
    wire [SP_AW-1:0]  sp_b_addr;
    wire              sp_b_ready_mem;
    wire [SPB*8-1:0]  sp_b_data;
    wire              acc_rd_en;
    wire [ACC_AW-1:0] acc_rd_addr;
    wire [COLS*32-1:0] acc_rd_data;
    wire              acc_wr_en;
    wire [ACC_AW-1:0] acc_wr_addr;
    wire [COLS*32-1:0] acc_wr_data;
    wire [COLS*32-1:0] st_data;

    wire sp_b_ready = sp_b_ready_mem && !inj_b_stall;

    hwgen_exec_unit #(
        .ROWS(ROWS), .COLS(COLS), .TILE_ROWS(TILE_ROWS), .TILE_COLS(TILE_COLS),
        .SUPPORT_WS(SUPPORT_WS), .SUPPORT_OS(SUPPORT_OS),
        .SP_ROW_BYTES(SPB), .SP_AW(SP_AW), .ACC_AW(ACC_AW)
    ) u_dut (
        .clk(clk), .rst(rst),
        .s_insn_valid(s_insn_valid), .s_insn_ready(s_insn_ready), .s_insn_data(s_insn_data),
        .tok_ld2ex_avail(tok_ld2ex_avail), .tok_ld2ex_pop(tok_ld2ex_pop),
        .tok_st2ex_avail(tok_st2ex_avail), .tok_st2ex_pop(tok_st2ex_pop),
        .tok_ex2ld_push(tok_ex2ld_push), .tok_ex2st_push(tok_ex2st_push),
        .sp_a_en(sp_a_en), .sp_a_addr(sp_a_addr), .sp_a_data(sp_a_data),
        .sp_b_en(sp_b_en), .sp_b_addr(sp_b_addr), .sp_b_ready(sp_b_ready), .sp_b_data(sp_b_data),
        .acc_rd_en(acc_rd_en), .acc_rd_addr(acc_rd_addr), .acc_rd_data(acc_rd_data),
        .acc_wr_en(acc_wr_en), .acc_wr_addr(acc_wr_addr), .acc_wr_data(acc_wr_data),
        .halt(halt), .idle(idle), .stat_busy(stat_busy), .stat_wait(stat_wait),
        .stat_row(stat_row), .stat_macs(stat_macs)
    );

    hwgen_scratchpad #(.ROW_BYTES(SPB), .DEPTH(SP_DEPTH), .BANKS(SP_BANKS), .AW(SP_AW)) u_sp (
        .clk(clk),
        .wr_en(sp_wr_en), .wr_addr(sp_wr_addr[SP_AW-1:0]), .wr_data(sp_wr_data[SPB*8-1:0]),
        .a_en(sp_a_en), .a_addr(sp_a_addr), .a_data(sp_a_data),
        .b_en(sp_b_en && !inj_b_stall), .b_addr(sp_b_addr), .b_ready(sp_b_ready_mem), .b_data(sp_b_data)
    );

    hwgen_accumulator #(.COLS(COLS), .DEPTH(ACC_DEPTH), .BANKS(ACC_BANKS), .AW(ACC_AW)) u_acc (
        .clk(clk),
        .ex_rd_en(acc_rd_en), .ex_rd_addr(acc_rd_addr), .ex_rd_data(acc_rd_data),
        .ex_wr_en(acc_wr_en), .ex_wr_addr(acc_wr_addr), .ex_wr_data(acc_wr_data),
        .st_rd_en(acc_st_en), .st_rd_addr(acc_st_addr[ACC_AW-1:0]), .st_rd_ready(acc_st_ready), .st_rd_data(st_data),
        .st2_rd_en(1'b0), .st2_rd_addr({ACC_AW{1'b0}}), .st2_rd_ready(), .st2_rd_data(),
        .ld_wr_en(acc_ld_en), .ld_wr_addr(acc_ld_addr[ACC_AW-1:0]), .ld_wr_ready(acc_ld_ready),
        .ld_wr_data(acc_ld_data[COLS*32-1:0])
    );

    generate
        if (COLS * 32 < 1024) begin : gen_pad
            assign acc_st_data = {{(1024-COLS*32){1'b0}}, st_data};
        end else begin : gen_full
            assign acc_st_data = st_data;
        end
    endgenerate
    assign mon_sp_a    = sp_a_en;
    assign mon_sp_b    = sp_b_en && sp_b_ready;
    assign mon_acc_wr  = acc_wr_en;
    assign mon_acc_wr_addr = {{(20-ACC_AW){1'b0}}, acc_wr_addr};
endmodule

`resetall
