namespace HwGen.Generator.Isa;

/// <summary>
/// The <c>dbg_profile</c> output of <c>hwgen_top</c>: one bit per signal the Verilator harness's
/// execute-unit profiler samples every cycle (docs/verification.md, "Per-operation profile"). It is
/// always present and carries only existing strobes; an integration leaves it unconnected and
/// synthesis removes what nothing reads. Bit positions are rendered into <c>hwgen_isa.vh</c>
/// (<c>ISA_DBG_&lt;FIELD&gt;_LSB</c>, <c>ISA_DBG_PROFILE_W</c>) and the harness header, so neither side
/// re-encodes them and the harness reads no internal signal names.
/// </summary>
public static class DebugPort
{
    /// <summary>The top-level port name.</summary>
    public const string Name = "dbg_profile";

    /// <summary>The bundle's bits, lowest first.</summary>
    public static readonly IReadOnlyList<IsaField> Fields =
    [
        new("exq_valid", 0, 1, "Execute queue has an instruction for the execute unit."),
        new("exq_ready", 1, 1, "Execute unit takes it (with exq_valid: one instruction taken)."),
        new("stq_valid", 2, 1, "Store queue has an instruction for the store unit."),
        new("stq_ready", 3, 1, "Store unit takes it."),
        new("ldq_valid", 4, 1, "Load queue non-empty."),
        new("ld_dispatch_blocked", 5, 1, "Dispatch offers a load instruction and the load queue is full."),
        new("st_dispatch_blocked", 6, 1, "Dispatch offers a store-queue instruction and the store queue is full."),
        new("exec_busy", 7, 1, "Execute unit busy (the exec_busy counter's strobe)."),
        new("exec_wait", 8, 1, "Execute unit waits for a token (exec_wait)."),
        new("exec_row", 9, 1, "A row or step enters the array (array_active)."),
        new("load_busy", 10, 1, "Load unit busy (load_busy)."),
        new("load_wait", 11, 1, "Load unit waits for a token (load_wait)."),
        new("store_busy", 12, 1, "Store unit busy (store_busy)."),
        new("store_wait", 13, 1, "Store unit waits for a token (store_wait)."),
        new("ld2ex_avail", 14, 1, "The LD->EX token counter is not zero."),
        new("st2ex_avail", 15, 1, "The ST->EX token counter is not zero."),
        new("exec_p_valid", 16, 1, "Execute unit slot P (pending: tokens, weight preload) holds an instruction."),
        new("exec_s_valid", 17, 1, "Execute unit slot S (streaming) holds an instruction."),
    ];

    /// <summary>Width of the port in bits.</summary>
    public static int Width => Fields.Max(f => f.Msb) + 1;
}
