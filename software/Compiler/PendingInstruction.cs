using HwGen.Generator.Isa;

namespace HwGen.Software.Compiler;

/// <summary>An instruction under construction: fields can still change (token flags are set last).</summary>
internal sealed class PendingInstruction(Opcode opcode, params (string Name, long Value)[] fields)
{
    private readonly Dictionary<string, long> values = fields.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);

    public Opcode Opcode { get; } = opcode;

    public void Set(string name) => values[name] = 1;

    public Instruction Build() => Instruction.Create(Opcode, values.Select(kv => (kv.Key, kv.Value)).ToArray());
}
