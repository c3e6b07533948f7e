# C = A x B for 4x4 int8 matrices on any array with at least 4 rows and 4 columns.
# Memory image gemm4.bin: A (row-major, 4 bytes per row) at 0x00, B at 0x40; C is written at 0x100.
# ./hwgen sim configs/tiny.yaml --program examples/programs/gemm4.s --memory examples/programs/gemm4.bin
load target=sp rows=4 cols=4 local_addr=0 dram_addr=0x00 dram_stride=4              # A -> SP rows 0..3
load target=sp rows=4 cols=4 local_addr=4 dram_addr=0x40 dram_stride=4 push_next=1  # B -> SP rows 4..7, then LD->EX
compute dataflow=ws mode=overwrite rows=4 k=4 a_addr=0 b_addr=4 c_addr=0 pop_prev=1 push_next=1
config_store multiplier=1 shift=0                                                    # int32 -> int8 unchanged (saturating)
store rows=4 cols=4 local_addr=0 dram_addr=0x100 dram_stride=4 pop_prev=1            # waits for EX->ST
