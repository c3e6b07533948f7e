using System.Globalization;

namespace HwGen.Generator.Isa;

/// <summary>
/// One 32-bit AXI4-Lite register. Registers with sub-fields list them here once (name, bit range,
/// meaning); the RTL, <c>hwgen.h</c>, <c>docs/isa.md</c> and the harness's hang diagnosis render
/// their bit positions from this list instead of re-encoding them.
/// </summary>
/// <param name="Name">UPPER_SNAKE register name.</param>
/// <param name="Offset">Byte offset in the AXI4-Lite window.</param>
/// <param name="Access">R, RW or R/W1C.</param>
/// <param name="Description">What the register is, one sentence; bit layouts belong in <paramref name="Fields"/>.</param>
/// <param name="Fields">Sub-fields, lowest bit first; empty for a register that is one 32-bit value.</param>
public sealed record IsaRegister(string Name, int Offset, string Access, string Description, IReadOnlyList<IsaField> Fields)
{
    /// <summary>The field called <paramref name="name"/>; throws when the register has none of that name.</summary>
    public IsaField Field(string name) =>
        Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
        ?? throw new ArgumentException($"register {Name} has no field '{name}'", nameof(name));

    /// <summary>The register value with each named field set (values truncated to their field width).</summary>
    public uint Compose(params (string Field, long Value)[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var word = 0u;
        foreach (var (name, value) in fields)
        {
            var f = Field(name);
            word |= (uint)((ulong)value & f.MaxValue) << f.Lsb;
        }

        return word;
    }

    /// <summary>The value of one field in a register word.</summary>
    public uint Extract(uint word, string field)
    {
        var f = Field(field);
        return (uint)((word >> f.Lsb) & f.MaxValue);
    }

    /// <summary>The description followed by the field list, for one-line tables (INTEGRATION.md).</summary>
    public string Summary => Fields.Count == 0
        ? Description
        : Description + " " + string.Join(", ", Fields.Select(f => string.Create(CultureInfo.InvariantCulture,
            $"{(f.Width == 1 ? "bit " + f.Lsb : "bits " + f.Msb + ":" + f.Lsb)} `{f.Name}` ({Lower(f.Description.TrimEnd('.'))})"))) + ".";

    private static string Lower(string s) =>
        s.Length > 1 && char.IsLower(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    /// <summary>Lets callers take the register apart as (name, offset, access, description).</summary>
    public void Deconstruct(out string name, out int offset, out string access, out string description)
    {
        name = Name;
        offset = Offset;
        access = Access;
        description = Description;
    }
}
