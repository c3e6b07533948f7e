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

    /// <summary>Body of <c>hwgen_isa.vh</c>: one guarded `define per constant (macros, so unused ones cost no lint warning).</summary>
    public static string VerilogDefines()
    {
        var sb = new StringBuilder();
        sb.Append("`ifndef HWGEN_ISA_VH\n`define HWGEN_ISA_VH\n");
        foreach (var (name, value, comment) in Constants())
        {
            var literal = value > int.MaxValue
                ? "32'h" + Hex(value, 8)
                : value.ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"`define ISA_{name} {literal} // {Sanitize(comment)}\n");
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
            sb.Append(CultureInfo.InvariantCulture, $"#define HWGEN_{name} 0x{Hex(value, 2)}u /* {Sanitize(comment)} */\n");
        }

        return sb.ToString();
    }

    private static string Sanitize(string s) => s.Replace("*/", "* /", StringComparison.Ordinal).Replace('\n', ' ');
}
