# sp_range at instruction 1: scratchpad rows 0xFFFFF0.. lie beyond every scratchpad HwGen can generate.
# ./hwgen sim configs/tiny.yaml --program examples/programs/fault_sp_range.s   -> exit 4, FAULT sp_range at 1
load target=sp rows=1 cols=4 local_addr=0 dram_addr=0x0 dram_stride=4
load target=sp rows=4 cols=4 local_addr=0xFFFFF0 dram_addr=0x0 dram_stride=4
