using HwGen.Generator.Isa;
using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>
/// The DRAM bytes a program's loads read and its stores and normalizes write, by what they touch: weights (weights,
/// biases, γ/β, the LM head), the K/V caches, and activations (everything else, the identity matrix included), plus the
/// program text the fetch unit reads. Counted from the instructions (useful bytes, as the golden model's DMA counters).
/// </summary>
/// <param name="WeightBytes">Bytes read from weight tensors.</param>
/// <param name="CacheReadBytes">Bytes read from the caches.</param>
/// <param name="ActivationReadBytes">Bytes read from activations.</param>
/// <param name="CacheWriteBytes">Bytes written into the caches.</param>
/// <param name="ActivationWriteBytes">Bytes written into activations (logits included).</param>
/// <param name="ProgramBytes">Bytes of program text.</param>
public sealed record DecodeTraffic(long WeightBytes, long CacheReadBytes, long ActivationReadBytes, long CacheWriteBytes, long ActivationWriteBytes, long ProgramBytes)
{
    /// <summary>Bytes the loads read.</summary>
    public long ReadBytes => WeightBytes + CacheReadBytes + ActivationReadBytes;

    /// <summary>Bytes the stores and normalizes write.</summary>
    public long WriteBytes => CacheWriteBytes + ActivationWriteBytes;

    /// <summary>Counts <paramref name="program"/>'s traffic.</summary>
    public static DecodeTraffic Of(CompiledProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var tensors = program.Tensors.OrderBy(t => t.Address).ToList();
        var starts = tensors.Select(t => t.Address).ToArray();
        TensorRegion? At(long address)
        {
            var i = Array.BinarySearch(starts, address);
            i = i >= 0 ? i : ~i - 1;
            return i >= 0 ? tensors[i] : null;
        }

        long weights = 0, cacheRead = 0, actRead = 0, cacheWrite = 0, actWrite = 0;
        foreach (var ins in program.Instructions.Take(program.Length).Select(i => new InstructionView(i)))
        {
            switch (ins.Opcode)
            {
                case Opcode.Load:
                {
                    var bytes = ins.LoadRowBytes * ins.Rows;
                    switch (Kind(At(ins.DramAddr)))
                    {
                        case 0: weights += bytes; break;
                        case 1: cacheRead += bytes; break;
                        default: actRead += bytes; break;
                    }

                    break;
                }

                case Opcode.Store or Opcode.Normalize:
                {
                    var bytes = ins.Rows * (ins.Opcode == Opcode.Store ? ins.Cols : ins.NormalizeRowBytes);
                    if (Kind(At(ins.DramAddr)) == 1)
                    {
                        cacheWrite += bytes;
                    }
                    else
                    {
                        actWrite += bytes;
                    }

                    break;
                }
            }
        }

        return new DecodeTraffic(weights, cacheRead, actRead, cacheWrite, actWrite, (long)program.Length * IsaSpec.InstructionBytes);
    }

    /// <summary>0 = weights, 1 = cache, 2 = activations.</summary>
    private static int Kind(TensorRegion? t)
    {
        if (t is null)
        {
            return 2;
        }

        var leaf = t.Name[(t.Name.LastIndexOf('.') + 1)..];
        if (leaf is "Kc" or "Vc")
        {
            return 1;
        }

        return t.Role == TensorRole.Input && leaf is not ("X" or "x" or "I") ? 0 : 2;
    }
}
