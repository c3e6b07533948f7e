#!/usr/bin/env bash
# Randomized unit test of the execute unit (Verilator) over a matrix of array shapes,
# tile splits and dataflows, plus the WS back-to-back throughput measurement.
#   verif/unit/exec/run.sh            # all configurations
#   SEEDS="1 2 3" N=400 verif/unit/exec/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${WORK:-/tmp/hwgen_exec_unit_test}"
seeds="${SEEDS:-1 2}"
n="${N:-300}"
mkdir -p "$work/rtl"
for f in "$root"/templates/rtl/hwgen_{pe,tile,mesh,sram_sdp,scratchpad,accumulator,exec_unit}.v.sbn; do
    b="$(basename "$f" .sbn)"
    sed 1d "$f" > "$work/rtl/$b"      # drop the {{ banner }} line
done
# The ISA include is rendered from generator/Isa/IsaSpec.cs (the single source of truth).
dotnet run --project "$root/cli" -- generate "$root/configs/tiny.yaml" -o "$work/isa-gen" >/dev/null
cp "$work/isa-gen/hwgen_isa.vh" "$work/rtl/hwgen_isa.vh"

# name rows cols tile_rows tile_cols ws os sp_depth sp_banks acc_depth acc_banks
configs=(
    "c4x4_t1x1   4  4 1 1 1 1 256 4 128 2"
    "c4x4_t2x2   4  4 2 2 1 1 256 4 128 2"
    "c4x4_t4x4   4  4 4 4 1 1 128 2  64 1"
    "c8x8_t1x1   8  8 1 1 1 1 256 4 128 2"
    "c8x8_t2x4   8  8 2 4 1 1 256 8 128 4"
    "c4x8_t1x1   4  8 1 1 1 1 256 4 128 2"
    "c8x4_t2x2   8  4 2 2 1 1 256 4 128 2"
    "c2x2_t1x1   2  2 1 1 1 1  64 2  32 2"
    "c4x4_ws     4  4 1 1 1 0 256 4 128 2"
    "c8x4_os     8  4 2 1 0 1 256 4 128 2"
    "c16x16_t1x1 16 16 1 1 1 1 1024 4 512 2"
)
fail=0
for c in "${configs[@]}"; do
    read -r name R C TR TC WS OS SPD SPB ACD ACB <<<"$c"
    obj="$work/$name"
    if [ ! -x "$obj/Vtb_exec_top" ] || [ "$here/tb_exec.cpp" -nt "$obj/Vtb_exec_top" ] || \
       [ -n "$(find "$work/rtl" "$here/tb_exec_top.v" -newer "$obj/Vtb_exec_top" 2>/dev/null)" ]; then
        verilator --cc --exe --build -O3 --x-assign fast --x-initial fast -Wno-fatal -Wno-lint -Wno-style \
            -Mdir "$obj" -I"$work/rtl" --top-module tb_exec_top \
            -GROWS="$R" -GCOLS="$C" -GTILE_ROWS="$TR" -GTILE_COLS="$TC" -GSUPPORT_WS="$WS" -GSUPPORT_OS="$OS" \
            -GSP_DEPTH="$SPD" -GSP_BANKS="$SPB" -GACC_DEPTH="$ACD" -GACC_BANKS="$ACB" \
            "$here/tb_exec_top.v" "$work"/rtl/*.v "$here/tb_exec.cpp" -o Vtb_exec_top >"$obj.build.log" 2>&1 \
            || { echo "BUILD FAIL $name (see $obj.build.log)"; fail=1; continue; }
    fi
    for h in 50 333; do
        printf '%-12s halt at %-4s ' "$name" "$h"
        "$obj/Vtb_exec_top" --rows="$R" --cols="$C" --ws="$WS" --os="$OS" --sp-depth="$SPD" \
            --acc-depth="$ACD" --n=50 --seed=7 --halt-at="$h" | tail -n 3 || fail=1
    done
    for s in $seeds; do
        for stall in 0 0.3; do
            printf '%-12s seed %-3s b_stall %-4s ' "$name" "$s" "$stall"
            if ! "$obj/Vtb_exec_top" --rows="$R" --cols="$C" --ws="$WS" --os="$OS" --sp-depth="$SPD" \
                    --acc-depth="$ACD" --n="$n" --seed="$s" --b-stall="$stall" | tail -n 6; then
                fail=1
            fi
        done
    done
done
# Throughput: back-to-back WS computes, rows = 512, 16x16.
"$work/c16x16_t1x1/Vtb_exec_top" --rows=16 --cols=16 --ws=1 --os=1 --sp-depth=1024 --acc-depth=512 --perf --perf-rows=512 | grep -E 'PERF|PASS|FAIL' || fail=1
exit $fail
