# dma_write_error at instruction 1: the store writes DRAM at 0x7FFFFF00, beyond the memory, which answers DECERR.
# ./hwgen sim configs/tiny.yaml --program examples/programs/fault_dram_write_range.s   -> exit 4, FAULT dma_write_error at 1
config_store multiplier=1 shift=0
store rows=1 cols=4 local_addr=0 dram_addr=0x7FFFFF00 dram_stride=4
