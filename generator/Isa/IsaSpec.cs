using System.Collections.Frozen;

namespace HwGen.Generator.Isa;

/// <summary>
/// The single source of truth for the HwGen instruction set: the encodings, the field
/// enumerations, the fault codes, the AXI4-Lite register map and the performance counters.
/// RTL decode constants, the C header, the assembler and docs/isa.md are all derived from here.
/// </summary>
public static class IsaSpec
{
    /// <summary>Every instruction is this many bits (four little-endian 32-bit words in DRAM).</summary>
    public const int InstructionBits = 128;

    /// <summary>Bytes per instruction in DRAM.</summary>
    public const int InstructionBytes = InstructionBits / 8;

    /// <summary>Value of the HW_ID register ("HWG1").</summary>
    public const uint HardwareId = 0x48574731;

    /// <summary>Fields shared by every opcode: the opcode and the four dependency-token flags.</summary>
    public static readonly IReadOnlyList<IsaField> CommonFields =
    [
        new("opcode", 0, 8, "Operation code; 0 is illegal."),
        new("pop_prev", 8, 1, "Wait for, and consume, a token from the previous unit (LD->EX for execute, EX->ST for store)."),
        new("pop_next", 9, 1, "Wait for, and consume, a token from the next unit (EX->LD for load, ST->EX for execute)."),
        new("push_prev", 10, 1, "On completion, give a token to the previous unit (EX->LD from execute, ST->EX from store)."),
        new("push_next", 11, 1, "On completion, give a token to the next unit (LD->EX from load, EX->ST from execute)."),
    ];

    /// <summary>All instruction formats, ordered by opcode.</summary>
    public static readonly IReadOnlyList<InstructionFormat> Formats =
    [
        new(Opcode.Load, "load", Unit.Load,
            "Copy `rows` rows of `cols` elements from DRAM (row r at `dram_addr + r*dram_stride`) into local memory starting at row `local_addr`. Bytes of a local row beyond `cols` elements are written as zero. With `elem16` the DRAM elements are int16 (little-endian, 2 bytes each, so a row is 2*cols bytes): the scratchpad targets take sat8((v + 128) >> 8) of each (FixedPoint.NarrowWide), the accumulator its sign extension. With `int4` the DRAM elements are signed 4-bit, two per byte (element 2i in the low nibble of byte i, element 2i+1 in the high nibble, so a row is ceil(cols/2) bytes and `dram_addr` names the byte of an even element; with odd `cols` the high nibble of the last byte is ignored): each is sign-extended to int8 on its way into the scratchpad (sp or sp_t), so a weight matrix moves half the bytes. int4 needs scratchpad.int4_load; with elem16 or target acc it is bad_field.",
            [
                new("target", 12, 2, "0 = scratchpad (int8), 1 = scratchpad transposed (int8; source row r becomes column r of local rows local_addr..local_addr+cols-1), 2 = accumulator (int32, little-endian)."),
                new("elem16", 14, 1, "0 = DRAM elements as the target holds them (int8, or int32 for acc); 1 = int16 DRAM elements (2 bytes each), narrowed to int8 for sp and sp_t, sign-extended for acc."),
                new("int4", 15, 1, "0 = as elem16 says; 1 = signed 4-bit DRAM elements, two per byte (low nibble = even element, high nibble = odd element; ceil(cols/2) bytes a row), sign-extended to int8 for sp and sp_t. bad_field with elem16, with target acc, or on a design without scratchpad.int4_load."),
                new("rows", 16, 16, "Number of DRAM rows, at least 1."),
                new("cols", 32, 8, "Elements per DRAM row, 1..row width of the target."),
                new("local_addr", 40, 24, "First local row."),
                new("dram_addr", 64, 32, "Byte address of the first DRAM row (any alignment)."),
                new("dram_stride", 96, 32, "Bytes between consecutive DRAM rows."),
            ]),
        new(Opcode.Store, "store", Unit.Store,
            "Post-process `rows` accumulator rows starting at `local_addr` (first `cols` elements of each) to int8 and write row r to DRAM at `dram_addr + r*dram_stride`. `func` selects the element function: the requantization set by `config_store`, I-GELU with the constants set by `config_post`, I-GELU with per-column constants (docs/numerics.md), or the requantization with a per-row multiplier (`requant_row`: row r uses the row-scale memory's slot (row_scale_base + r) mod 1024, written by a `softmax_late` normalize, with config_store's shift and relu: out = sat8(round_half_up(acc * M_row / 2^shift))). `gelu_col` first reads accumulator rows `gelu_cols` and `gelu_cols + 1` (both must lie inside the accumulator, else acc_range, checked after the rows' own range); lane j of the two rows holds column j's input rescale (mi: bits 0..15, si: bits 16..21 of the first), output multiplier, shift and zero point (mo: bits 0..14, so: bits 16..21, z: bits 24..31 of the second; IntGeluColumn), and element q of column j becomes sat8(round(GELU_product(sat32(round(q·mi/2^si)))·mo/2^so) + z). With `col_mult` (func requant only) the store first reads accumulator row `requant_cols` (it must lie inside the accumulator, else acc_range, checked after the rows' own range) and column j is requantized with bits 0..30 of lane j as its multiplier (bit 31 is ignored) in place of config_store's, with config_store's shift and relu: out = sat8(round_half_up(acc * M_j / 2^shift)) (per-output-channel weight scales).",
            [
                new("func", 12, 2, "0 = requantize (config_store), 1 = I-GELU (config_post gelu_* registers; needs units.gelu), 2 = I-GELU with per-column constants from accumulator rows gelu_cols and gelu_cols + 1 (gelu_col; needs units.gelu), 3 = requantize row r with the row-scale multiplier of slot (row_scale_base + r) mod 1024 (requant_row; needs units.softmax)."),
                new("col_mult", 14, 1, "0 = config_store's multiplier for every column; 1 = per-column multipliers from lane j of accumulator row requant_cols (func requant only; needs requant.per_column, else bad_field)."),
                new("rows", 16, 16, "Number of accumulator rows, at least 1."),
                new("cols", 32, 8, "Elements per row, 1..array columns."),
                new("local_addr", 40, 24, "First accumulator row."),
                new("dram_addr", 64, 32, "Byte address of the first DRAM row (any alignment)."),
                new("dram_stride", 96, 32, "Bytes between consecutive DRAM rows."),
            ]),
        new(Opcode.ConfigStore, "config_store", Unit.Store,
            "Set the requantization applied by later `store` instructions: out = sat8(round_half_up(acc * multiplier / 2^shift)), then max(out, 0) when `relu` is 1.",
            [
                new("relu", 12, 1, "1 = clamp negative outputs to zero."),
                new("shift", 16, 6, "Right shift, 0..62."),
                new("multiplier", 32, 32, "Multiplier, 0..2^31-1."),
            ]),
        new(Opcode.ConfigPost, "config_post", Unit.Store,
            "Set one post-processing constant register of the store unit (the table below) to `value`; later `store` and row instructions use it. The store unit applies it after every row already read has left the post-processing pipeline. Registers start at zero.",
            [
                new("reg", 16, 8, "Register index (post-processing constant registers); an undefined index is bad_field."),
                new("value", 64, 64, "New value, 0..the register's maximum (larger is bad_field)."),
            ]),
        new(Opcode.Normalize, "normalize", Unit.Store,
            "Row-wise Softmax (three passes: max, sum of i-exp, normalize), late-normalized Softmax (softmax_late, two passes: max, then u = min(127, (e·L + 2^52) >> 53) with the constant L = 733272653 in place of the reciprocal, so the row maximum gives 127, written as the row's int8 output, and the exact Σu; then the row's P·V multiplier floor(softmax_pv_mult·2^5 / Σu) (0 when Σu = 0) goes to slot (row_scale_base + r) mod 1024 of the row-scale memory for store func requant_row; with config_post softmax_block not 0 a normalize is one chunk of the rows' keys: mode 1 only merges each row's maximum into the row-max memory and writes nothing, modes 2 and 3 write u against the stored maximum and add Σu into the row-scale slot, mode 3 then turning it into the multiplier), LayerNorm (three passes: sum/min/max, sum of squared deviations, normalize with γ/β) or residual add (one pass) over `rows` logical rows of `width` elements (docs/numerics.md). Logical row r is held block-major in the accumulator: elements b*COLS..b*COLS+COLS-1 (block b, lane j) at row `local_addr + b*rows + r`, as `compute` writes N-blocks. Row r is written as `width` int8 (Softmax: scale 2^-7; LayerNorm and add: their output scales) to DRAM at `dram_addr + r*dram_stride`; with `wide` (LayerNorm and add) as `width` int16, little-endian (2*width bytes): LayerNorm sat16(round(u*γ*M/2^sh) + β) at S_out/2^8 (IntLayerNorm.AffineWide), add sat16(round(h*M/2^sh)) (IntResidualAdd.ApplyWide). Softmax's input conversion uses the config_post softmax_* registers. LayerNorm and add add the residual aligned by ln_res_mult/ln_res_shift (block b of row r at ln_residual - 1 + b*rows + r, when ln_residual is not 0); it is read in the same cycle as x when the two rows lie in different accumulator banks. With config_post ln_in_shift not 0 (column mode), LayerNorm and add use per-column constants: γ/β take three accumulator rows per block, ln_affine + 3b (γ in the low 16 bits, the input multiplier m_j, unsigned, in the high 16 bits), ln_affine + 3b + 1 (β) and ln_affine + 3b + 2 (the residual multiplier A_j, unsigned below 2^31, in place of ln_res_mult), and h_j = sat32(sat32(round_half_up(x_j·m_j / 2^ln_in_shift)) + round_half_up(r_j·A_j / 2^ln_res_shift)) for column j (block b, lane j mod COLS); add ignores γ and β, fills the cache the same way and requantizes that h. LayerNorm scales by γ (low 16 bits, int16) and adds β (int32) of block b, from accumulator rows ln_affine + 2b and ln_affine + 2b + 1, through a γ/β cache: the first LayerNorm after a config_post ln_affine (or one wider than the cached blocks) reads γ/β (in column mode also m_j and A_j) of all its blocks into the cache; later ones use the cache without reading those rows (a column-mode add likewise). Add requantizes x + aligned residual (in column mode the h above) with add_out_mult/add_out_shift (round half up, saturate to int8).",
            [
                new("func", 12, 2, "0 = Softmax (config_post softmax_* registers; needs units.softmax), 1 = LayerNorm (config_post ln_* registers; needs units.layernorm), 2 = residual add (ln_res_*, ln_residual, add_out_*; needs units.layernorm), 3 = late-normalized Softmax (softmax_late: softmax_*, softmax_pv_mult and row_scale_base registers; needs units.softmax)."),
                new("causal", 14, 1, "Softmax and softmax_late only (must be 0 for LayerNorm and add): 1 = causal mask: element j of row r takes part when j <= r + mask_offset; masked elements give 0."),
                new("wide", 15, 1, "LayerNorm and add only (must be 0 for Softmax and softmax_late): 1 = int16 output elements (2 bytes each, little-endian)."),
                new("rows", 16, 16, "Number of logical rows, at least 1."),
                new("width", 32, 16, "Elements per logical row, 1..4096; the row spans ceil(width/COLS) accumulator rows."),
                new("local_addr", 48, 16, "Accumulator row of block 0 of logical row 0; the instruction reads rows local_addr..local_addr + ceil(width/COLS)*rows - 1."),
                new("dram_addr", 64, 32, "Byte address of output row 0."),
                new("dram_stride", 96, 16, "Bytes between consecutive output rows."),
                new("mask_offset", 112, 16, "Causal-mask row offset (earlier cached keys); ignored without causal."),
            ]),
        new(Opcode.Compute, "compute", Unit.Execute,
            "Multiply on the systolic array: for i < rows, j < array columns, C[c_addr+i][j] = base + sum over t < k of A(i,t) * B(t,j), where B(t,j) = SP[b_addr+t][j]. Weight-stationary: A(i,t) = SP[a_addr+i][t]. Output-stationary: A(i,t) = SP[a_addr+t][i] (A stored transposed). With `int4_pairs` (output-stationary, rows <= ROWS/2, design with array.int4_pairs) each B row holds 2*COLS signed 4-bit elements, two per byte (element 2i in the low nibble of byte i, 2i+1 in the high nibble; the row-major int4 packing of `load int4=1`), and the array computes both halves in one pass, the upper half of its PE rows on elements 0..COLS-1 and the lower half on COLS..2*COLS-1: C[c_addr+i][j] = base + sum A(i,t) * B4(t,j) and C[c_addr+rows+i][j] = base' + sum A(i,t) * B4(t,COLS+j), base' being C[c_addr+rows+i][j] itself (accumulate) or ACC[bias_addr+1][j] (bias), so the two column blocks land block-major, rows apart, and a one-row GEMM takes 2*COLS int4 weights a cycle.",
            [
                new("dataflow", 12, 1, "0 = weight-stationary (k <= array rows), 1 = output-stationary (rows <= array rows)."),
                new("mode", 13, 2, "base: 0 = zero (overwrite), 1 = accumulate onto C, 2 = bias row ACC[bias_addr][j]."),
                new("int4_pairs", 15, 1, "0 = int8 B rows; 1 = packed int4 B rows, two column blocks a pass (output-stationary only, rows <= ROWS/2; C spans 2*rows rows, the bias 2 rows). bad_field with dataflow ws, with rows > ROWS/2, or on a design without array.int4_pairs."),
                new("rows", 16, 16, "Output rows, at least 1."),
                new("k", 32, 16, "Reduction length, at least 1."),
                new("a_addr", 48, 20, "Scratchpad row of the A operand."),
                new("b_addr", 68, 20, "Scratchpad row of the B operand."),
                new("c_addr", 88, 20, "Accumulator row of the output."),
                new("bias_addr", 108, 20, "Accumulator row holding the bias (mode 2)."),
            ]),
    ];

    private static readonly FrozenDictionary<Opcode, InstructionFormat> ByOpcode =
        Formats.ToFrozenDictionary(f => f.Opcode);

    private static readonly FrozenDictionary<string, InstructionFormat> ByMnemonic =
        Formats.ToFrozenDictionary(f => f.Mnemonic, StringComparer.Ordinal);

    /// <summary>The format of an opcode.</summary>
    public static InstructionFormat Format(Opcode opcode) => ByOpcode[opcode];

    /// <summary>Looks up a format by its assembly mnemonic.</summary>
    public static bool TryFormat(string mnemonic, out InstructionFormat? format) =>
        ByMnemonic.TryGetValue(mnemonic, out format);

    /// <summary>True when the opcode value is defined.</summary>
    public static bool IsLegal(uint opcode) => ByOpcode.ContainsKey((Opcode)opcode);

    /// <summary>Every field of a format, common fields first.</summary>
    public static IEnumerable<IsaField> AllFields(InstructionFormat format) => CommonFields.Concat(format.Fields);

    /// <summary>Fault codes written to ERR_CODE. Zero means no fault.</summary>
    public static readonly IReadOnlyList<(string Name, int Code, string Description)> FaultCodes =
    [
        (Name(FaultCode.None), (int)FaultCode.None, "No fault."),
        (Name(FaultCode.IllegalOpcode), (int)FaultCode.IllegalOpcode, "The fetched instruction has an undefined opcode."),
        (Name(FaultCode.SpRange), (int)FaultCode.SpRange, "A scratchpad row range falls outside the scratchpad."),
        (Name(FaultCode.AccRange), (int)FaultCode.AccRange, "An accumulator row range falls outside the accumulator."),
        (Name(FaultCode.BadField), (int)FaultCode.BadField, "A field is out of its legal range (zero rows, cols wider than the row, k or rows too large for the dataflow, a dataflow the hardware lacks, shift > 62, multiplier >= 2^31, mode 3, target 3, a load with int4 and elem16, int4 into the accumulator or int4 on a design without scratchpad.int4_load, a store func whose unit the hardware lacks (gelu and gelu_col need units.gelu, requant_row units.softmax), a store col_mult with a func other than requant or on a design without requant.per_column, a compute int4_pairs with dataflow ws, rows above half the array rows or on a design without array.int4_pairs, an undefined config_post register or a value above its maximum, a normalize func whose unit the hardware lacks, normalize width 0 or above 4096, a LayerNorm or add normalize with causal set, a Softmax or softmax_late normalize with wide set)."),
        (Name(FaultCode.DmaReadError), (int)FaultCode.DmaReadError, "An AXI read response for a load was SLVERR or DECERR."),
        (Name(FaultCode.DmaWriteError), (int)FaultCode.DmaWriteError, "An AXI write response for a store was SLVERR or DECERR."),
        (Name(FaultCode.FetchError), (int)FaultCode.FetchError, "An AXI read response for an instruction fetch was SLVERR or DECERR (a program inside the address space that runs past the end of memory faults here, at its first instruction beyond memory)."),
        (Name(FaultCode.ProgAlign), (int)FaultCode.ProgAlign, "PROG_ADDR is not a multiple of 16 at START (even with PROG_LEN 0). Nothing is fetched; ERR_PC is 0."),
        (Name(FaultCode.ProgRange), (int)FaultCode.ProgRange, "The program does not fit in the 32-bit address space at START: PROG_ADDR + 16 x PROG_LEN > 2^32 (checked after prog_align). Nothing is fetched; ERR_PC is 0."),
    ];

    /// <summary>The snake_case name of a fault code, as in reports, docs and the C header.</summary>
    public static string Name(FaultCode code) =>
        string.Concat(code.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>AXI4-Lite registers (byte offsets), with their sub-fields.</summary>
    public static readonly IReadOnlyList<IsaRegister> Registers =
    [
        new("CTRL", 0x00, "RW", "Control.",
        [
            new("start", 0, 1, "Write 1 to start (only when idle); reads 0."),
            new("irq_en", 1, 1, "Interrupt enable."),
        ]),
        new("STATUS", 0x04, "R/W1C", "Run state. Write 1 to the done bit to clear DONE, ERROR and the interrupt.",
        [
            new("busy", 0, 1, "A program is running."),
            new("done", 1, 1, "The program finished (write 1 to clear DONE and ERROR)."),
            new("error", 2, 1, "The program stopped on a fault (ERR_CODE, ERR_PC)."),
        ]),
        new("ERR_CODE", 0x08, "R", "Fault code of the first fault (see fault codes).", []),
        new("ERR_PC", 0x0C, "R", "Index (0-based) of the faulting instruction.", []),
        new("PROG_ADDR", 0x10, "RW", "Byte address of the program in DRAM; must be 16-byte aligned (START faults with prog_align otherwise).", []),
        new("PROG_LEN", 0x14, "RW", "Number of 128-bit instructions in the program.", []),
        new("HW_ID", 0x18, "R", "Constant 0x48574731 (\"HWG1\").", []),
        new("HW_CONFIG", 0x1C, "R", "Build parameters.",
        [
            new("rows", 0, 8, "Array rows."),
            new("cols", 8, 8, "Array columns."),
            new("ws", 16, 1, "Weight-stationary dataflow present."),
            new("os", 17, 1, "Output-stationary dataflow present."),
        ]),
        new("UNIT_STATUS", 0x20, "R", "Live unit state for hang diagnosis.",
        [
            new("fetch_pending", 0, 1, "Fetch has instructions left to dispatch."),
            new("dispatch_blocked", 1, 1, "Dispatch is blocked by a full queue."),
            new("load_queue", 2, 1, "Load queue non-empty."),
            new("exec_queue", 3, 1, "Execute queue non-empty."),
            new("store_queue", 4, 1, "Store queue non-empty."),
            new("load_busy", 5, 1, "Load unit busy."),
            new("load_wait", 6, 1, "Load unit waits for a dependency token."),
            new("exec_busy", 7, 1, "Execute unit busy."),
            new("exec_wait", 8, 1, "Execute unit waits for a dependency token."),
            new("store_busy", 9, 1, "Store unit busy."),
            new("store_wait", 10, 1, "Store unit waits for a dependency token."),
            new("axi_reads", 11, 1, "AXI read bursts outstanding."),
            new("axi_writes", 12, 1, "AXI write bursts outstanding."),
        ]),
        new("TOKENS", 0x24, "R", "Dependency-token counters.",
        [
            new("ld2ex", 0, 8, "LD->EX tokens."),
            new("ex2ld", 8, 8, "EX->LD tokens."),
            new("ex2st", 16, 8, "EX->ST tokens."),
            new("st2ex", 24, 8, "ST->EX tokens."),
        ]),
    ];

    /// <summary>The register called <paramref name="name"/>.</summary>
    public static IsaRegister Register(string name) =>
        Registers.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal))
        ?? throw new ArgumentException($"no register '{name}'", nameof(name));

    /// <summary>Byte offset of performance counter 0; counter i is 64 bits at CounterBase + 8*i (low word first).</summary>
    public const int CounterBase = 0x100;

    /// <summary>Performance counters, in register order.</summary>
    public static readonly IReadOnlyList<(string Name, string Description)> Counters =
    [
        ("cycles", "Cycles from START to DONE or ERROR."),
        ("instructions", "Instructions dispatched to the unit queues."),
        ("load_busy", "Cycles the load unit has an instruction in progress (after its tokens were taken)."),
        ("load_wait", "Cycles the load unit holds an instruction that waits for a dependency token."),
        ("exec_busy", "Cycles the execute unit has an instruction in progress (after its tokens were taken)."),
        ("exec_wait", "Cycles the execute unit holds an instruction that waits for a dependency token."),
        ("store_busy", "Cycles the store unit has an instruction in progress (after its tokens were taken)."),
        ("store_wait", "Cycles the store unit holds an instruction that waits for a dependency token."),
        ("array_active", "Cycles in which a valid row (weight-stationary) or step (output-stationary) enters the array."),
        ("macs", "Useful multiply-accumulates entered into the array (k*cols per weight-stationary row, rows*cols per output-stationary step)."),
        ("dma_read_bytes", "Bytes requested by load instructions (useful bytes, not bus beats; 2 per element of an elem16 load, ceil(cols/2) per row of an int4 load)."),
        ("dma_write_bytes", "Bytes written by store instructions (useful bytes; 2 per element of a wide normalize)."),
        ("fetch_bytes", "Bytes of instructions fetched."),
    ];

    /// <summary>Values of the <c>target</c> field of <c>load</c>.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> LoadTargets =
        [("sp", 0), ("sp_t", 1), ("acc", 2)];

    /// <summary>Values of the <c>mode</c> field of <c>compute</c>.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> ComputeModes =
        [("overwrite", 0), ("accumulate", 1), ("bias", 2)];

    /// <summary>Values of the <c>func</c> field of <c>store</c>.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> StoreFuncs =
        [("requant", 0), ("gelu", 1), ("gelu_col", 2), ("requant_row", 3)];

    /// <summary>
    /// The store unit's post-processing constant registers, set by <c>config_post</c>: (name, index, largest legal value,
    /// meaning). The ranges are the ones the kernels in <c>software/Numerics/Transformer</c> are proven overflow-free for.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, int Index, long Max, string Description)> PostRegisters =
    [
        ("gelu_clip", 0, 1L << 30, "I-GELU Qb (IntGeluConstants.ClipMagnitude)."),
        ("gelu_offset", 1, (1L << 62) - 1, "I-GELU Qc (IntGeluConstants.Offset)."),
        ("gelu_erf_shift", 2, 62, "I-GELU n (IntGeluConstants.ErfShift)."),
        ("gelu_one", 3, 1L << 15, "I-GELU One: the integer for erf = 1; the shifted erf term is clamped to 0..One."),
        ("gelu_out_mult", 4, (1L << 15) - 1, "I-GELU output requantization multiplier (below 2^15)."),
        ("gelu_out_shift", 5, 62, "I-GELU output requantization shift."),
        ("softmax_mult", 6, (1L << 31) - 1, "Softmax input conversion multiplier M (IntSoftmaxConstants.Input; S/S_i with the attention scale folded in)."),
        ("softmax_shift", 7, 62, "Softmax input conversion shift."),
        ("ln_res_mult", 8, (1L << 31) - 1, "LayerNorm residual alignment multiplier Mr (IntLayerNormConstants.Residual)."),
        ("ln_res_shift", 9, 62, "LayerNorm residual alignment shift."),
        ("ln_out_mult", 10, (1L << 17) - 1, "LayerNorm output multiplier M (IntLayerNormConstants.Output, below 2^17)."),
        ("ln_out_shift", 11, 62, "LayerNorm output shift."),
        ("ln_residual", 12, 1L << 16, "LayerNorm residual: 0 = none, else 1 + the accumulator row of block 0 of residual row 0 (same block-major layout as the input)."),
        ("ln_affine", 13, (1L << 16) - 1, "LayerNorm γ/β: accumulator row of γ block 0; γ block b at ln_affine + 2b (int16 in the low bits), β block b at ln_affine + 2b + 1 (int32, units S_out/2^8). In column mode (ln_in_shift ≠ 0) three rows per block: γ at + 3b, β at + 3b + 1, A at + 3b + 2. Writing it (any value) empties the γ/β cache."),
        ("add_out_mult", 14, (1L << 31) - 1, "Residual add output requantization multiplier (IntResidualAddConstants.Output)."),
        ("add_out_shift", 15, 62, "Residual add output requantization shift."),
        ("ln_in_shift", 16, 47, "LayerNorm column mode: 0 = off; else γ/β take three rows per block (γ with the input multiplier m_j in its high 16 bits, β, the residual multiplier A_j), every x of column j becomes sat32(round_half_up(x·m_j / 2^ln_in_shift)) (IntLayerNorm.ScaleInput) and the residual is aligned by A_j with ln_res_shift (NormColumns). LayerNorm and add (whose m_j, A_j rows sit at ln_affine the same way, γ and β unused). Writing it (any value) empties the γ/β cache."),
        ("gelu_cols", 17, (1L << 16) - 1, "store func=gelu_col: accumulator row of the per-column GELU constants (rows gelu_cols and gelu_cols + 1, lane j for column j; IntGeluColumn)."),
        ("softmax_pv_mult", 18, (1L << 31) - 1, "normalize func=softmax_late: numerator of each row's P·V multiplier floor(softmax_pv_mult·2^5 / Σu) (the P·V output requantization multiplier; IntLateSoftmax.RowMultiplier)."),
        ("row_scale_base", 19, RowScaleSlots - 1, "First slot of the row-scale memory: normalize func=softmax_late writes row r's multiplier to slot (row_scale_base + r) mod 1024, store func=requant_row reads row r's from the same slot."),
        ("softmax_block", 20, 7, "Key-blocked normalize func=softmax_late (one chunk of keys per normalize; slot (row_scale_base + r) mod 1024 per row): 0 = off (unblocked); 1 = max pass: only the chunk's row maximum is kept, merged into the row-max memory (bit 2 set: the first chunk, replacing it), no output is written; 2 = output pass against the stored row maximum: u is written and Σu is added into the row-scale slot (bit 2 set: the first chunk, from 0); 3 = the same for the last chunk, after which the slot holds the row's P·V multiplier floor(softmax_pv_mult·2^5 / Σu) (IntLateSoftmax.Blocked)."),
        ("requant_cols", 21, (1L << 16) - 1, "store col_mult=1: accumulator row of the per-column requantization multipliers (bits 0..30 of lane j for column j; per-output-channel weight scales)."),
    ];

    /// <summary>Slots of the row-scale memory (one P·V multiplier per late-normalized Softmax row).</summary>
    public const int RowScaleSlots = 1024;

    /// <summary>Values of the <c>func</c> field of <c>normalize</c>.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> NormalizeFuncs =
        [("softmax", 0), ("layernorm", 1), ("add", 2), ("softmax_late", 3)];

    /// <summary>Widest logical row of <c>normalize</c> (elements).</summary>
    public const int MaxNormalizeWidth = 4096;

    /// <summary>Values of the <c>dataflow</c> field of <c>compute</c>.</summary>
    public static readonly IReadOnlyList<(string Name, int Value)> Dataflows =
        [("ws", 0), ("os", 1)];
}
