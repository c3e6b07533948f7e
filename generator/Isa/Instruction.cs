using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;

namespace HwGen.Generator.Isa;

/// <summary>A decoded instruction: its format and the value of every field (common fields included).</summary>
public sealed record Instruction(InstructionFormat Format, ImmutableSortedDictionary<string, ulong> Values)
{
    /// <summary>The opcode.</summary>
    public Opcode Opcode => Format.Opcode;

    /// <summary>Field value by name; throws for a field the format does not have.</summary>
    public ulong this[string field] => Values.TryGetValue(field, out var v)
        ? v
        : throw new KeyNotFoundException($"{Format.Mnemonic} has no field '{field}'");

    /// <summary>Field value as an int.</summary>
    public int Get32(string field) => checked((int)this[field]);

    /// <summary>Field value as a long.</summary>
    public long Get64(string field) => checked((long)this[field]);

    /// <summary>Builds an instruction; unspecified fields are zero. Throws when a value does not fit its field.</summary>
    public static Instruction Create(Opcode opcode, IReadOnlyDictionary<string, ulong> values)
    {
        var format = IsaSpec.Format(opcode);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ulong>(StringComparer.Ordinal);
        foreach (var field in IsaSpec.AllFields(format))
        {
            builder[field.Name] = 0;
        }

        builder["opcode"] = (ulong)opcode;
        foreach (var (name, value) in values)
        {
            if (name == "opcode")
            {
                continue;
            }

            var field = IsaSpec.AllFields(format).FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"{format.Mnemonic} has no field '{name}'", nameof(values));
            if (value > field.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(values),
                    $"{format.Mnemonic}.{name} = {value.ToString(CultureInfo.InvariantCulture)} does not fit in {field.Width} bits");
            }

            builder[name] = value;
        }

        return new Instruction(format, builder.ToImmutable());
    }

    /// <summary>Builds an instruction from name/value pairs.</summary>
    public static Instruction Create(Opcode opcode, params (string Name, long Value)[] values) =>
        Create(opcode, values.ToDictionary(v => v.Name, v => checked((ulong)v.Value)));

    /// <summary>Encodes to 16 little-endian bytes (bit i of the instruction is bit i%8 of byte i/8).</summary>
    public byte[] Encode()
    {
        UInt128 word = 0;
        foreach (var field in IsaSpec.AllFields(Format))
        {
            word |= (UInt128)Values[field.Name] << field.Lsb;
        }

        var bytes = new byte[IsaSpec.InstructionBytes];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, word);
        return bytes;
    }

    /// <summary>Decodes 16 bytes; returns null when the opcode is illegal.</summary>
    public static Instruction? Decode(ReadOnlySpan<byte> bytes)
    {
        var word = BinaryPrimitives.ReadUInt128LittleEndian(bytes[..IsaSpec.InstructionBytes]);
        var opcode = (uint)(word & 0xFF);
        if (!IsaSpec.IsLegal(opcode))
        {
            return null;
        }

        var format = IsaSpec.Format((Opcode)opcode);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ulong>(StringComparer.Ordinal);
        foreach (var field in IsaSpec.AllFields(format))
        {
            builder[field.Name] = (ulong)((word >> field.Lsb) & (UInt128)field.MaxValue);
        }

        return new Instruction(format, builder.ToImmutable());
    }
}
