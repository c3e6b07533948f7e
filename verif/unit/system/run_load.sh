#!/bin/bash
# Builds and runs the load-unit test for a few parameter sets. Needs RTL rendered in $RTL.
set -e
RTL=${RTL:-/tmp/rtl}
HERE=$(cd "$(dirname "$0")" && pwd)
run() { # name SPRB COLS DW OUT SP_AW ACC_AW SP_DEPTH ACC_DEPTH
    local d=/tmp/hwgen_unit_load_$1
    verilator --cc --exe --build -O2 -Wno-fatal -I$RTL --Mdir $d --top-module hwgen_load_unit \
        -GSP_ROW_BYTES=$2 -GCOLS=$3 -GAXI_DATA_BITS=$4 -GDMA_OUTSTANDING=$5 -GSP_AW=$6 -GACC_AW=$7 \
        -CFLAGS "-DSPRB=$2 -DNCOLS=$3 -DDWB=$4 -DSP_DEPTH=$8 -DACC_DEPTH=$9" \
        $RTL/hwgen_load_unit.v $RTL/hwgen_fifo.v $HERE/load_tb.cpp -o tb >/dev/null
    $d/tb
    $d/tb perf
}
run default 16 16 128 8 14 11 16384 2048
run small 8 8 64 4 12 9 4096 512
run tiny 4 4 32 2 10 8 1024 256
run wide 64 64 512 8 12 10 4096 1024
