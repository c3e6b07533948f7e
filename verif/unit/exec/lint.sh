#!/usr/bin/env bash
# Lint gate for the compute-core templates: verilator -Wall (top = hwgen_exec_unit and each
# memory), iverilog -g2005, and a Yosys synth_xilinx run that must contain no latches, over
# a few parameter sets. SYNTH=0 skips Yosys.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="${WORK:-/tmp/hwgen_exec_unit_lint}"
mkdir -p "$work"
files=()
for m in sram_sdp pe tile mesh scratchpad accumulator exec_unit; do
    sed 1d "$root/templates/rtl/hwgen_$m.v.sbn" > "$work/hwgen_$m.v"
    files+=("$work/hwgen_$m.v")
done
# The ISA include is rendered from generator/Isa/IsaSpec.cs (the single source of truth).
dotnet run --project "$root/cli" -- generate "$root/configs/tiny.yaml" -o "$work/isa-gen" >/dev/null
cp "$work/isa-gen/hwgen_isa.vh" "$work/hwgen_isa.vh"
vlt=()
[ -f "$root/templates/rtl/hwgen_lint.vlt.sbn" ] && { sed 1d "$root/templates/rtl/hwgen_lint.vlt.sbn" > "$work/hwgen_lint.vlt"; vlt=("$work/hwgen_lint.vlt"); }
fail=0
exec_params=(
    ""
    "-GROWS=4 -GCOLS=8 -GSP_ROW_BYTES=8 -GTILE_ROWS=2 -GTILE_COLS=4"
    "-GROWS=8 -GCOLS=4 -GSP_ROW_BYTES=8 -GSUPPORT_WS=0"
    "-GROWS=4 -GCOLS=4 -GSP_ROW_BYTES=4 -GTILE_ROWS=4 -GTILE_COLS=4 -GSUPPORT_OS=0"
    "-GROWS=2 -GCOLS=2 -GSP_ROW_BYTES=2 -GTILE_ROWS=2 -GTILE_COLS=2"
    "-GROWS=32 -GCOLS=32 -GSP_ROW_BYTES=32 -GTILE_ROWS=2 -GTILE_COLS=2 -GSP_AW=20 -GACC_AW=20"
)
for p in "${exec_params[@]}"; do
    # shellcheck disable=SC2086
    verilator --lint-only -Wall -I"$work" --top-module hwgen_exec_unit $p "${vlt[@]}" "${files[@]}" \
        || { echo "LINT FAIL exec_unit $p"; fail=1; }
    # shellcheck disable=SC2086
    iverilog -g2005 -I"$work" -s hwgen_exec_unit $(echo "$p" | sed 's/-G/-Phwgen_exec_unit./g') -o /dev/null "${files[@]}" \
        || { echo "IVERILOG FAIL $p"; fail=1; }
done
for p in "" "-GBANKS=1 -GDEPTH=64 -GAW=8" "-GBANKS=8 -GDEPTH=4096 -GAW=12"; do
    for t in hwgen_scratchpad hwgen_accumulator; do
        # shellcheck disable=SC2086
        verilator --lint-only -Wall -I"$work" --top-module $t $p "${vlt[@]}" "${files[@]}" || { echo "LINT FAIL $t $p"; fail=1; }
    done
done
if [ "${SYNTH:-1}" != 0 ]; then
    yosys -q -l "$work/yosys.log" -p "read_verilog -I$work ${files[*]};
        chparam -set ROWS 4 -set COLS 8 -set SP_ROW_BYTES 8 -set TILE_ROWS 2 -set TILE_COLS 2 hwgen_exec_unit;
        synth_xilinx -top hwgen_exec_unit; select -assert-none t:\$dlatch t:\$_DLATCH*; stat" 2>&1 \
        | grep -v "Resizing cell port" || true
    grep -q "End of script" "$work/yosys.log" || { echo "YOSYS FAIL exec_unit"; fail=1; }
    for t in "hwgen_scratchpad -set ROW_BYTES 16 -set DEPTH 4096 -set BANKS 4 -set AW 12" \
             "hwgen_accumulator -set COLS 16 -set DEPTH 1024 -set BANKS 2 -set AW 10"; do
        set -- $t
        top="$1"; shift
        yosys -q -l "$work/yosys_$top.log" -p "read_verilog ${files[*]}; chparam $* $top; synth_xilinx -top $top;
            select -assert-none t:\$dlatch t:\$_DLATCH*; select -assert-min 1 t:RAMB*; stat" 2>&1 \
            | grep -v "Resizing cell port" || true   # Yosys 0.23 BRAM-mapping chatter
        grep -q "End of script" "$work/yosys_$top.log" || { echo "YOSYS FAIL $top (latch or no block RAM)"; fail=1; }
    done
fi
[ $fail = 0 ] && echo "LINT/SYNTH PASS"
exit $fail
