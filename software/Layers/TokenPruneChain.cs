using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Graph;
using HwGen.Software.Performance;
using HwGen.Software.Programs;

namespace HwGen.Software.Layers;

/// <summary>
/// Runs a token-pruned stack one program per layer (docs/pruning.md). Layer i's program is compiled for the tokens that
/// reach it; its first tensors are a reservation over everything the earlier programs placed, so the DRAM image they
/// left is carried under it (<see cref="Image"/>), and it gathers its input X from layer i−1's output Y where that lies:
/// one load per run of consecutive kept rows (the gather is in the loads of the Q/K/V projections and the residual). After
/// a layer with a pruning point, the host reads that layer's probabilities P from the image (the only host read; counted
/// in <see cref="HostBytesRead"/>), computes each token's importance and chooses the kept tokens.
/// </summary>
public sealed class TokenPruneChain
{
    private readonly DesignModel d;
    private readonly IReadOnlyList<QuantizedLayer> stack;
    private readonly TokenPruning plan;
    private readonly List<TokenPruneLayer> done = [];
    private int[] tokens;
    private int[] lengths;
    private int[] gather;
    private CompiledProgram? previous, current;

    /// <summary>
    /// A chain over <paramref name="stack"/> (as <see cref="QuantizedLayer.CreateStack"/> or an imported model's lowering
    /// makes: int8 or per-column, one sequence or a packed batch) pruned by <paramref name="plan"/>. In a packed batch each
    /// sentence is pruned on its own: its importance from its own P, its own [CLS] kept, a budget applied to its tokens.
    /// </summary>
    /// <exception cref="ArgumentException">A point after the last layer.</exception>
    public TokenPruneChain(DesignModel design, IReadOnlyList<QuantizedLayer> stack, TokenPruning plan)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Points.Any(p => p.AfterLayer < 1 || p.AfterLayer >= stack.Count))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"token pruning '{plan}': a point lies outside layers 1..{stack.Count - 1}"), nameof(stack));
        }

        (d, this.stack, this.plan) = (design, stack, plan);
        tokens = Enumerable.Range(0, stack[0].Spec.Seq).ToArray();
        lengths = [.. stack[0].Spec.Segments];
        gather = tokens;
    }

    /// <summary>The layers run so far.</summary>
    public IReadOnlyList<TokenPruneLayer> Layers => done;

    /// <summary>Bytes the host read from DRAM: the probabilities P of each layer with a pruning point.</summary>
    public long HostBytesRead => done.Sum(l => l.HostBytesRead);

    /// <summary>The tensor name prefix of layer <paramref name="i"/> (0-based).</summary>
    public static string Prefix(int i) => "L" + i.ToString(CultureInfo.InvariantCulture) + ".";

    /// <summary>The next layer's program, compiled for the tokens that reach it; null after the last layer.</summary>
    public CompiledProgram? Next()
    {
        var i = done.Count;
        if (i == stack.Count)
        {
            return null;
        }

        var q = stack[i] with { Spec = stack[i].Spec.Pack(lengths) };
        var (n, h) = (tokens.Length, q.Spec.Hidden);
        var g = new GraphBuilder();
        GraphTensor x;
        if (previous is null)
        {
            x = q.Columns is { } c ? g.Tensor(GraphTensor.Wide(Prefix(0) + "X", n, h, c.X16)) : g.Tensor(GraphTensor.Input(Prefix(0) + "X", n, h, q.X));
        }
        else
        {
            // Everything the earlier programs placed stays where it is: the reservation starts where their first tensor after
            // the identity did and ends where their program text began.
            var first = previous.Tensors[1].Address;
            var rows = (int)((previous.ProgramAddress - first + Reservation - 1) / Reservation);
            g.Tensor(GraphTensor.Output("carried", rows, Reservation));
            var y = previous.Tensors.First(t => t.Name == Prefix(i - 1) + "Y");
            x = g.Tensor(GraphTensor.Output(Prefix(i) + "X", y.Rows, y.Cols) with { Carried = y });
        }

        LayerCompiler.Describe(g, q, x, Prefix(i), Runs(gather));
        var inv = CultureInfo.InvariantCulture;
        var name = string.Create(inv, $"layer:{q.Spec.Name},seed={stack[0].Seed},layer={i + 1}/{stack.Count},tokens={n}");
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["kernel"] = "layer",
            ["layer"] = q.Spec.ToString(),
            ["layers"] = 1,
            ["seed"] = q.Seed,
            ["tokens"] = string.Join(' ', tokens.Select(t => t.ToString(inv))),
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(inv),
        };
        current = GraphCompiler.Compile(d, g.Build(name, h), meta).Program;
        if (previous is not null && (current.Tensors[1].Address != previous.Tensors[1].Address || current.Tensors[1].EndAddress < previous.ProgramAddress))
        {
            throw new InvalidOperationException($"{name}: the reservation does not cover the carried tensors of {previous.Workload}");
        }

        return current;
    }

    /// <summary>Bytes in one row of the reservation tensor.</summary>
    private const int Reservation = 4096;

    /// <summary>
    /// The image <paramref name="program"/> (the last <see cref="Next"/>) starts from: its own image, with everything before
    /// the previous program's text as <paramref name="previousImage"/> (the image the previous program left) holds it.
    /// </summary>
    public byte[] Image(byte[]? previousImage, CompiledProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var image = program.Dram.ToArray();
        if (previous is not null)
        {
            ArgumentNullException.ThrowIfNull(previousImage);
            previousImage.AsSpan(0, (int)previous.ProgramAddress).CopyTo(image);
        }

        return image;
    }

    /// <summary>
    /// Records the layer the last program ran (<paramref name="dram"/> the image it left, <paramref name="cycles"/> its
    /// cycles); after a pruning point, reads P from <paramref name="dram"/> and chooses the tokens of the following layers.
    /// </summary>
    public TokenPruneLayer Complete(byte[] dram, long cycles)
    {
        ArgumentNullException.ThrowIfNull(dram);
        var program = current ?? throw new InvalidOperationException("no program to complete");
        var i = done.Count;
        var spec = stack[i].Spec.Pack(lengths);
        var y = program.Tensors.First(t => t.Name == Prefix(i) + "Y").Read(dram);
        var layer = new TokenPruneLayer(i + 1, tokens, spec.Macs, cycles, y) { Lengths = lengths, KeptLengths = lengths };
        if (plan.After(i + 1) is { } point)
        {
            var ps = spec.Segments.Select((_, b) => program.Tensors.First(t => t.Name == Prefix(i) + spec.ProbabilityTensor(b))).ToList();
            var (rows, kept, thresholds, importance) = TokenPruning.SelectPacked(point, ps.Select(p => p.Read(dram)).ToList(), spec.Heads, lengths);
            layer = layer with
            {
                Kept = rows.Select(k => tokens[k]).ToArray(), KeptLengths = kept, Threshold = thresholds.Min(), Thresholds = thresholds, Importance = importance,
                HostBytesRead = ps.Sum(p => (long)p.Rows * p.RowBytes(p.Cols)),
            };
            (gather, tokens, lengths) = (rows, layer.Kept.ToArray(), kept);
        }
        else
        {
            gather = Enumerable.Range(0, tokens.Length).ToArray();
        }

        done.Add(layer);
        (previous, current) = (program, null);
        return layer;
    }

    /// <summary>Runs of consecutive positions: (rows, first row).</summary>
    public static IReadOnlyList<(int Rows, int TensorRow)> Runs(IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var runs = new List<(int Rows, int TensorRow)>();
        foreach (var p in positions)
        {
            if (runs.Count > 0 && runs[^1].TensorRow + runs[^1].Rows == p)
            {
                runs[^1] = (runs[^1].Rows + 1, runs[^1].TensorRow);
            }
            else
            {
                runs.Add((1, p));
            }
        }

        return runs;
    }

    /// <summary>
    /// Runs the chain on the golden model, with the performance model's cycles; with <paramref name="layers"/>, only the
    /// first that many layers (a calibration that needs the importance after a point, not the rest of the stack).
    /// </summary>
    /// <exception cref="InvalidOperationException">A program faulted.</exception>
    public static IReadOnlyList<TokenPruneLayer> RunGolden(DesignModel design, IReadOnlyList<QuantizedLayer> stack, TokenPruning plan, int? layers = null)
    {
        var chain = new TokenPruneChain(design, stack, plan);
        byte[]? image = null;
        while (chain.Layers.Count < (layers ?? stack.Count) && chain.Next() is { } program)
        {
            var g = GoldenSimulator.Run(design, chain.Image(image, program), program.ProgramAddress, program.Length);
            if (!g.Ok)
            {
                throw new InvalidOperationException($"{program.Workload}: the golden model faulted with {g.FaultName} at instruction {g.FaultPc} ({g.FaultDetail})");
            }

            chain.Complete(g.Dram, PerfModel.Estimate(design, program).TotalCycles);
            image = g.Dram;
        }

        return chain.Layers;
    }

    /// <summary>
    /// The unpruned stack compiled the same way, one program per layer, with each program's MACs and the performance
    /// model's cycles; nothing is simulated (without pruning points no layer's tokens depend on data).
    /// </summary>
    public static IReadOnlyList<TokenPruneLayer> Modelled(DesignModel design, IReadOnlyList<QuantizedLayer> stack)
    {
        var chain = new TokenPruneChain(design, stack, TokenPruning.None);
        while (chain.Next() is { } program)
        {
            chain.Complete(program.Dram.ToArray(), PerfModel.Estimate(design, program).TotalCycles);
        }

        return chain.Layers;
    }
}
