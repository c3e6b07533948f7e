# acc_range at instruction 1: a compute writing accumulator rows 0xFFFF0.. (beyond the accumulator).
# ./hwgen sim configs/tiny.yaml --program examples/programs/fault_acc_range.s   -> exit 4, FAULT acc_range at 1
load target=sp rows=4 cols=4 local_addr=0 dram_addr=0x0 dram_stride=4 push_next=1
compute dataflow=ws mode=overwrite rows=4 k=4 a_addr=0 b_addr=0 c_addr=0xFFFF0 pop_prev=1
