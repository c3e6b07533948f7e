# Deadlock: the compute pops an LD->EX token (pop_prev=1) that no load ever pushes. The watchdog
# reports a hang naming the exec unit and the token counters (exit code 5).
# ./hwgen sim configs/tiny.yaml --program examples/programs/hang_missing_token.s
load target=sp rows=4 cols=4 local_addr=0 dram_addr=0x0 dram_stride=4
compute dataflow=ws mode=overwrite rows=4 k=4 a_addr=0 b_addr=0 c_addr=0 pop_prev=1
