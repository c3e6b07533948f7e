using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>
/// The host's part of generation, shared by the golden run and the co-simulation: carry the DRAM image from one program
/// to the next, read the logits, choose the next token, write its embedding into the step's input row.
/// </summary>
public static class DecodeHost
{
    /// <summary>
    /// The image <paramref name="next"/> starts from: every tensor as <paramref name="previous"/> (the image the last
    /// program left) holds it, and <paramref name="next"/>'s program text after them.
    /// </summary>
    /// <exception cref="ArgumentException">The programs place their tensors differently.</exception>
    public static byte[] Carry(byte[] previous, CompiledProgram next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var tensors = next.ProgramAddress;
        if (previous.Length < tensors)
        {
            throw new ArgumentException($"the previous DRAM image ({previous.Length} bytes) ends before the tensors of {next.Workload} (0..{tensors})", nameof(previous));
        }

        var image = new byte[next.Dram.Length];
        previous.AsSpan(0, (int)tensors).CopyTo(image);
        next.Dram.AsSpan((int)tensors).CopyTo(image.AsSpan((int)tensors));
        return image;
    }

    /// <summary>The int8 logits a program left in <paramref name="dram"/>.</summary>
    public static long[] Logits(CompiledProgram program, byte[] dram) => Region(program, "Logits").Read(dram);

    /// <summary>Writes the embedding of <paramref name="token"/> into the step input row <c>x</c>.</summary>
    public static void Feed(DecodeModel model, CompiledProgram program, byte[] dram, int token) => Feed(model, program, dram, [token]);

    /// <summary>Writes the embeddings of <paramref name="tokens"/> into the step input rows <c>x</c>, one row each.</summary>
    public static void Feed(DecodeModel model, CompiledProgram program, byte[] dram, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dram);
        ArgumentNullException.ThrowIfNull(tokens);
        var x = Region(program, "x");
        for (var r = 0; r < tokens.Count; r++)
        {
            var e = model.Embed(tokens[r]);
            for (var c = 0; c < e.Length; c++)
            {
                dram[x.Address + (r * x.StrideBytes) + c] = (byte)e[c];
            }
        }
    }

    /// <summary>
    /// Writes a step's tokens into its input rows; the prefill of a <see cref="DecodeModel.Whole"/> model has none (its
    /// prompt embeddings are part of its image).
    /// </summary>
    public static void Feed(DecodeModel model, DecodeShape shape, CompiledProgram program, byte[] dram, IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shape);
        if (!(model.Whole && shape.Sequences[0].Start == 0))
        {
            Feed(model, program, dram, tokens);
        }
    }

    /// <summary>The first <paramref name="rows"/> rows of int8 logits a step left in <paramref name="dram"/>.</summary>
    public static long[][] Logits(CompiledProgram program, byte[] dram, int rows)
    {
        var t = Region(program, "Logits");
        return Enumerable.Range(0, rows).Select(r => (t with { Address = t.Address + (r * t.StrideBytes), Rows = 1 }).Read(dram)).ToArray();
    }

    /// <summary>Cache row <paramref name="row"/> of sequence <paramref name="sequence"/> (each owns <see cref="DecodeModel.Context"/> rows) of layer <paramref name="layer"/>.</summary>
    public static (long[] K, long[] V) CacheRow(DecodeModel model, CompiledProgram program, byte[] dram, int layer, int sequence, int row)
    {
        ArgumentNullException.ThrowIfNull(model);
        return CacheRow(program, dram, layer, (sequence * model.Context) + row);
    }

    /// <summary>Cache row <paramref name="row"/> of layer <paramref name="layer"/>'s K and V (Hidden values each).</summary>
    public static (long[] K, long[] V) CacheRow(CompiledProgram program, byte[] dram, int layer, int row)
    {
        // The caches are blocked (DecodeCompiler.Cache): column block j of row r lies at row j·Rows + r of COLS columns.
        var hidden = Region(program, "AF").Cols;
        long[] Row(string name)
        {
            var t = Region(program, DecodeCompiler.Prefix(layer) + name);
            var blocks = (hidden + t.Cols - 1) / t.Cols;
            var rows = t.Rows / blocks;
            return Enumerable.Range(0, blocks).SelectMany(j => (t with { Address = t.Address + ((((long)j * rows) + row) * t.StrideBytes), Rows = 1 }).Read(dram))
                .Take(hidden).ToArray();
        }

        return (Row("Kc"), Row("Vc"));
    }

    /// <summary>A tensor of the program by name.</summary>
    /// <exception cref="ArgumentException">No such tensor.</exception>
    public static TensorRegion Region(CompiledProgram program, string name)
    {
        ArgumentNullException.ThrowIfNull(program);
        return program.Tensors.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"{program.Workload} has no tensor '{name}'", nameof(name));
    }
}
