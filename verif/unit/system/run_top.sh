#!/bin/bash
# Builds and runs the hwgen_top smoke test. Needs RTL rendered in $RTL (default 16x16, AXI 128).
# EXEC may name an execute-unit file to use instead of the one in $RTL.
set -e
RTL=${RTL:-/tmp/rtl}
EXEC=${EXEC:-$RTL/hwgen_exec_unit.v}
HERE=$(cd "$(dirname "$0")" && pwd)
d=/tmp/hwgen_unit_top
FILES=$(ls $RTL/hwgen_*.v | grep -v hwgen_exec_unit.v)
verilator --cc --exe --build -O2 -Wno-fatal -I$RTL --Mdir $d --top-module hwgen_top $FILES $EXEC \
    $HERE/top_tb.cpp -o tb >/dev/null
$d/tb
