using System.Globalization;
using System.Text;

namespace HwGen.Generator.Isa;

/// <summary>
/// Derives the ISA constants for each consumer (Verilog include, C header section, Markdown)
/// from <see cref="IsaSpec"/>. Pure string building; no design parameters are involved.
/// </summary>
public static class IsaRenderer
{
    private static string Upper(string s) => s.ToUpperInvariant();

    private static string Hex(long value, int digits) =>
        value.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Named constants as (NAME, value, comment), shared by the Verilog and C renderings.</summary>
    public static IReadOnlyList<(string Name, long Value, string Comment)> Constants()
    {
        var list = new List<(string, long, string)>
        {
            ("INSN_BITS", IsaSpec.InstructionBits, "instruction width in bits"),
            ("INSN_BYTES", IsaSpec.InstructionBytes, "instruction size in DRAM"),
            ("HW_ID", IsaSpec.HardwareId, "value of the HW_ID register"),
        };
        foreach (var f in IsaSpec.CommonFields)
        {
            list.Add(($"F_{Upper(f.Name)}_LSB", f.Lsb, f.Description));
            list.Add(($"F_{Upper(f.Name)}_W", f.Width, "width of " + f.Name));
        }

        foreach (var fmt in IsaSpec.Formats)
        {
            var m = Upper(fmt.Mnemonic);
            list.Add(($"OP_{m}", (long)fmt.Opcode, $"{fmt.Mnemonic} ({fmt.Unit} unit)"));
            foreach (var f in fmt.Fields)
            {
                list.Add(($"F_{m}_{Upper(f.Name)}_LSB", f.Lsb, f.Description));
                list.Add(($"F_{m}_{Upper(f.Name)}_W", f.Width, $"width of {fmt.Mnemonic}.{f.Name}"));
            }
        }

        foreach (var (name, value) in IsaSpec.LoadTargets)
        {
            list.Add(($"LOAD_TARGET_{Upper(name)}", value, "load.target value"));
        }

        foreach (var (name, value) in IsaSpec.ComputeModes)
        {
            list.Add(($"MODE_{Upper(name)}", value, "compute.mode value"));
        }

        foreach (var (name, value) in IsaSpec.Dataflows)
        {
            list.Add(($"DATAFLOW_{Upper(name)}", value, "compute.dataflow value"));
        }

        foreach (var (name, value) in IsaSpec.StoreFuncs)
        {
            list.Add(($"STORE_FUNC_{Upper(name)}", value, "store.func value"));
        }

        foreach (var (name, value) in IsaSpec.NormalizeFuncs)
        {
            list.Add(($"NORM_FUNC_{Upper(name)}", value, "normalize.func value"));
        }

        list.Add(("NORM_MAX_WIDTH", IsaSpec.MaxNormalizeWidth, "widest normalize row (elements)"));
        list.Add(("ROW_SCALE_SLOTS", IsaSpec.RowScaleSlots, "slots of the row-scale memory (softmax_late, requant_row)"));

        foreach (var (name, index, max, desc) in IsaSpec.PostRegisters)
        {
            list.Add(($"PREG_{Upper(name)}", index, "config_post.reg: " + desc));
            list.Add(($"PREG_{Upper(name)}_MAX", max, "largest legal value of " + name));
        }

        foreach (var (name, code, desc) in IsaSpec.FaultCodes)
        {
            list.Add(($"FAULT_{Upper(name)}", code, desc));
        }

        foreach (var (name, offset, _, desc) in IsaSpec.Registers)
        {
            list.Add(($"REG_{name}", offset, desc));
        }

        list.Add(("REG_COUNTER_BASE", IsaSpec.CounterBase, "counter i: 64 bits at REG_COUNTER_BASE + 8*i"));
        for (var i = 0; i < IsaSpec.Counters.Count; i++)
        {
            list.Add(($"CNT_{Upper(IsaSpec.Counters[i].Name)}", i, IsaSpec.Counters[i].Description));
        }

        list.Add(("NUM_COUNTERS", IsaSpec.Counters.Count, "number of performance counters"));
        return list;
    }

    /// <summary>
    /// Every register sub-field with its constant stem <c>REG_&lt;REGISTER&gt;_&lt;FIELD&gt;</c>, in register order.
    /// Verilog and C take the LSB and width (<c>_LSB</c>, <c>_W</c>); C also gets <c>_SHIFT</c> and <c>_MASK</c>.
    /// </summary>
    public static IEnumerable<(string Name, IsaField Field)> RegisterFields() =>
        IsaSpec.Registers.SelectMany(r => r.Fields.Select(f => ($"REG_{r.Name}_{Upper(f.Name)}", f)));

    /// <summary>Body of <c>hwgen_isa.vh</c>: one guarded `define per constant (macros, so unused ones cost no lint warning).</summary>
    public static string VerilogDefines()
    {
        var sb = new StringBuilder();
        sb.Append("`ifndef HWGEN_ISA_VH\n`define HWGEN_ISA_VH\n");
        foreach (var (name, value, comment) in Constants())
        {
            var literal = value > uint.MaxValue
                ? "64'h" + Hex(value, 16)
                : value > int.MaxValue
                    ? "32'h" + Hex(value, 8)
                    : value.ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"`define ISA_{name} {literal} // {Sanitize(comment)}\n");
        }

        foreach (var (name, field) in RegisterFields())
        {
            sb.Append(CultureInfo.InvariantCulture, $"`define ISA_{name}_LSB {field.Lsb} // {Sanitize(field.Description)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"`define ISA_{name}_W {field.Width} // width of {name}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"`define ISA_DBG_PROFILE_W {DebugPort.Width} // width of the {DebugPort.Name} output\n");
        foreach (var field in DebugPort.Fields)
        {
            sb.Append(CultureInfo.InvariantCulture, $"`define ISA_DBG_{Upper(field.Name)}_LSB {field.Lsb} // {Sanitize(field.Description)}\n");
        }

        sb.Append("`endif\n");
        return sb.ToString();
    }

    /// <summary>The ISA section of the C header: #defines with the HWGEN_ prefix.</summary>
    public static string CDefines()
    {
        var sb = new StringBuilder();
        foreach (var (name, value, comment) in Constants())
        {
            sb.Append(CultureInfo.InvariantCulture, $"#define HWGEN_{name} 0x{Hex(value, 2)}{(value > uint.MaxValue ? "ull" : "u")} /* {Sanitize(comment)} */\n");
        }

        sb.Append("/* Register fields: (reg & HWGEN_REG_<R>_<F>_MASK) >> HWGEN_REG_<R>_<F>_SHIFT. */\n");
        foreach (var (name, field) in RegisterFields())
        {
            var mask = ((1UL << field.Width) - 1) << field.Lsb;
            sb.Append(CultureInfo.InvariantCulture, $"#define HWGEN_{name}_SHIFT {field.Lsb}u\n");
            sb.Append(CultureInfo.InvariantCulture, $"#define HWGEN_{name}_MASK 0x{Hex((long)mask, 8)}u /* {Sanitize(field.Description)} */\n");
        }

        return sb.ToString();
    }

    private static string Sanitize(string s) => s.Replace("*/", "* /", StringComparison.Ordinal).Replace('\n', ' ');

    /// <summary>docs/isa.md: the human-readable ISA reference, regenerated by <c>hwgen isa-doc</c>.</summary>
    public static string Markdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("<!-- Generated from generator/Isa/IsaSpec.cs by `./hwgen isa-doc > docs/isa.md`. Do not edit by hand. -->\n");
        sb.Append("# Instruction set\n\n");
        sb.Append(inv, $"Every instruction is {IsaSpec.InstructionBits} bits, stored in DRAM as {IsaSpec.InstructionBytes} bytes, little-endian ");
        sb.Append("(bit i of the instruction is bit i%8 of byte i/8). The host writes the program's address and length to ");
        sb.Append("PROG_ADDR and PROG_LEN and sets CTRL.START. Fetch dispatches instructions in order to three queues: ");
        sb.Append("load, execute and store. Dependency tokens (below) order them; without tokens the units run ahead of each other.\n\n");
        sb.Append("The meaning of the hardware operations, memory layouts and token rules is in `docs/architecture.md`; the arithmetic is in `docs/numerics.md`.\n\n");
        sb.Append("## Fields common to every instruction\n\n| Field | Bits | Meaning |\n|---|---|---|\n");
        foreach (var f in IsaSpec.CommonFields)
        {
            sb.Append(inv, $"| `{f.Name}` | {Bits(f)} | {f.Description} |\n");
        }

        foreach (var fmt in IsaSpec.Formats)
        {
            sb.Append(inv, $"\n## `{fmt.Mnemonic}` (opcode 0x{(int)fmt.Opcode:X2}, {fmt.Unit.ToString().ToLowerInvariant()} queue)\n\n{fmt.Description}\n\n");
            sb.Append("| Field | Bits | Meaning |\n|---|---|---|\n");
            foreach (var f in fmt.Fields)
            {
                sb.Append(inv, $"| `{f.Name}` | {Bits(f)} | {f.Description} |\n");
            }
        }

        sb.Append("\n## Post-processing constant registers (`config_post reg=...`)\n\n| Index | Name | Largest value | Meaning |\n|---|---|---|---|\n");
        foreach (var (name, index, max, desc) in IsaSpec.PostRegisters)
        {
            sb.Append(inv, $"| {index} | `{name}` | {max} | {desc} |\n");
        }

        sb.Append("\n## Assembly\n\nOne instruction per line: the mnemonic, then `field=value` pairs (decimal or `0x` hex; ");
        sb.Append("`target`, `mode`, `dataflow`, store and normalize `func` and config_post `reg` also take their names). Omitted fields are zero. `#` or `;` starts a comment.\n\n");
        sb.Append("```\nload target=sp rows=16 cols=16 local_addr=0 dram_addr=0x1000 dram_stride=16 push_next=1\n");
        sb.Append("compute dataflow=ws mode=overwrite rows=16 k=16 a_addr=0 b_addr=4096 c_addr=0 pop_prev=1 push_next=1\n");
        sb.Append("config_store multiplier=1073741824 shift=37\nstore rows=16 cols=16 local_addr=0 dram_addr=0x8000 dram_stride=16 pop_prev=1\n```\n");

        sb.Append("\n## Fault codes (ERR_CODE)\n\n| Code | Name | Meaning |\n|---|---|---|\n");
        foreach (var (name, code, desc) in IsaSpec.FaultCodes)
        {
            sb.Append(inv, $"| {code} | `{name}` | {desc} |\n");
        }

        sb.Append("\n## AXI4-Lite registers\n\n| Offset | Name | Access | Meaning |\n|---|---|---|---|\n");
        foreach (var (name, offset, access, desc) in IsaSpec.Registers)
        {
            sb.Append(inv, $"| 0x{offset:X3} | `{name}` | {access} | {desc} |\n");
        }

        sb.Append("\nRegister fields (`hwgen_isa.vh`: `ISA_REG_<R>_<F>_LSB`/`_W`; `hwgen.h`: `HWGEN_REG_<R>_<F>_SHIFT`/`_MASK`). Bits not listed read 0.\n");
        foreach (var register in IsaSpec.Registers.Where(r => r.Fields.Count > 0))
        {
            sb.Append(inv, $"\n### `{register.Name}`\n\n| Field | Bits | Meaning |\n|---|---|---|\n");
            foreach (var f in register.Fields)
            {
                sb.Append(inv, $"| `{f.Name}` | {Bits(f)} | {f.Description} |\n");
            }
        }

        sb.Append(inv, $"\n## Debug port `{DebugPort.Name}`\n\nAn output of `hwgen_top`, always present: the strobes the Verilator harness's execute-unit profiler samples every cycle. ");
        sb.Append("Integrations leave it unconnected (synthesis removes what nothing reads).\n\n| Field | Bit | Meaning |\n|---|---|---|\n");
        foreach (var f in DebugPort.Fields)
        {
            sb.Append(inv, $"| `{f.Name}` | {Bits(f)} | {f.Description} |\n");
        }

        sb.Append(inv, $"\n## Performance counters\n\nCounter i is 64 bits at 0x{IsaSpec.CounterBase:X3} + 8·i (low word first), cleared by START.\n\n");
        sb.Append("| Index | Offset | Name | Meaning |\n|---|---|---|---|\n");
        for (var i = 0; i < IsaSpec.Counters.Count; i++)
        {
            sb.Append(inv, $"| {i} | 0x{IsaSpec.CounterBase + (8 * i):X3} | `{IsaSpec.Counters[i].Name}` | {IsaSpec.Counters[i].Description} |\n");
        }

        return sb.ToString();
    }

    private static string Bits(IsaField f) =>
        f.Width == 1 ? f.Lsb.ToString(CultureInfo.InvariantCulture) : $"{f.Msb}:{f.Lsb}";
}
