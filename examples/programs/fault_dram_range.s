# dma_read_error at instruction 1: the load reads DRAM at 0x7FFFFF00, beyond the memory, which answers DECERR.
# ./hwgen sim configs/tiny.yaml --program examples/programs/fault_dram_range.s   -> exit 4, FAULT dma_read_error at 1
load target=sp rows=1 cols=4 local_addr=0 dram_addr=0x0 dram_stride=4
load target=sp rows=2 cols=4 local_addr=4 dram_addr=0x7FFFFF00 dram_stride=4
