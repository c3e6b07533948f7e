# illegal_opcode at instruction 1: opcode 0xEE is undefined. Instruction 0 completes first (precise fault).
# ./hwgen sim configs/tiny.yaml --program examples/programs/fault_illegal_opcode.s   -> exit 4, FAULT illegal_opcode at 1
config_store multiplier=1 shift=0
.word 0x000000000000000000000000000000EE
config_store multiplier=2 shift=1
