#!/bin/bash
# Builds and runs the store-unit test for a few parameter sets. Needs RTL rendered in $RTL.
set -e
RTL=${RTL:-/tmp/rtl}
HERE=$(cd "$(dirname "$0")" && pwd)
run() { # name COLS DW OUT ACC_AW ACC_DEPTH
    local d=/tmp/hwgen_unit_store_$1
    verilator --cc --exe --build -O2 -Wno-fatal -I$RTL --Mdir $d --top-module hwgen_store_unit \
        -GCOLS=$2 -GAXI_DATA_BITS=$3 -GDMA_OUTSTANDING=$4 -GACC_AW=$5 \
        -CFLAGS "-DNCOLS=$2 -DDWB=$3 -DACC_DEPTH=$6" \
        $RTL/hwgen_store_unit.v $RTL/hwgen_requant.v $RTL/hwgen_fifo.v $HERE/store_tb.cpp -o tb >/dev/null
    $d/tb
    $d/tb perf
}
run default 16 128 8 11 2048
run small 8 64 4 9 512
run tiny 4 32 2 8 256
run wide 64 512 8 10 1024
