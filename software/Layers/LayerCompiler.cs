using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Layers;

/// <summary>
/// Compiles one post-LN Transformer layer into ONE program: QKV projections (bias, requantize), per head QKᵀ (Kᵀ by the
/// transposed load) straight into a Softmax <c>normalize</c> (causal when the layer is), P·V (requantize), the output
/// projection (bias) with the residual and LayerNorm 1 as a LayerNorm <c>normalize</c>, FFN1 (bias, I-GELU store), FFN2
/// (bias) with the residual and LayerNorm 2. Every intermediate activation is an int8 tensor in DRAM.
/// </summary>
/// <remarks>
/// <para>Each GEMM is tiled as (m-tile × n-group × k-group) phases on the weight-stationary array. Softmax and LayerNorm
/// need whole rows in the accumulator, so their GEMMs take all column blocks in one group and shrink the m-tile. The
/// int8 residual enters the accumulator as int32 by multiplying it with an identity matrix held at the top of the
/// scratchpad (exact); γ/β and bias rows are loaded into the accumulator with <c>load target=acc</c>.</para>
/// <para>Tokens serialise the phases (correct first, fast later): a phase's last load pushes LD→EX, its first compute
/// pops it; with stores, the last compute pushes EX→ST, the first store-queue instruction pops it, the last pushes ST→EX
/// and a one-row relay compute into the last accumulator row pops it and pushes EX→LD; without stores the last compute
/// pushes EX→LD. The next phase's first load pops EX→LD. Every pop is matched by an earlier push in program order.</para>
/// </remarks>
public static class LayerCompiler
{
    private enum Epilogue
    {
        Requantize,
        Gelu,
        Softmax,
        LayerNorm,
        ResidualAdd,
    }

    /// <summary>Compiles a workload specification whose kind is a layer preset (<c>bert-tiny:seq=64,causal=0,seed=1,layers=2</c>).</summary>
    /// <exception cref="ArgumentException">Not a layer preset, or a layer the design cannot hold.</exception>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec) => CompileLayers(d, Stack(spec)).Program;

    /// <summary>
    /// The quantized layers a workload names: the preset with its <c>seq</c> and <c>causal</c> overrides, seeded by
    /// <c>seed</c> (default 1), <c>layers</c> of them (default 1).
    /// </summary>
    /// <exception cref="ArgumentException">Not a layer preset, or layers out of range.</exception>
    public static IReadOnlyList<QuantizedLayer> Stack(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!LayerSpec.PresetNames.Contains(spec.Kind))
        {
            throw new ArgumentException($"workload kind '{spec.Kind}' is not a layer preset ({string.Join(", ", LayerSpec.PresetNames)})", nameof(spec));
        }

        var layer = LayerSpec.Preset(spec.Kind, spec.Parameters.ContainsKey("seq") ? (int)spec.Get("seq") : null);
        if (spec.Parameters.ContainsKey("causal"))
        {
            layer = layer with { Causal = spec.Get("causal") == 1 };
        }

        return QuantizedLayer.CreateStack(layer, (ulong)spec.Get("seed", 1), Layers(spec));
    }

    /// <summary>Most layers a <c>layers=</c> override may ask for.</summary>
    public const int MaxLayers = 48;

    /// <summary>The <c>layers=</c> override of a layer workload (default 1).</summary>
    /// <exception cref="ArgumentException">Not in 1..<see cref="MaxLayers"/>.</exception>
    public static int Layers(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var n = spec.Get("layers", 1);
        if (n < 1 || n > MaxLayers)
        {
            throw new ArgumentException($"workload '{spec}': layers={n} is not in 1..{MaxLayers}", nameof(spec));
        }

        return (int)n;
    }

    /// <summary>Compiles <paramref name="q"/> for design <paramref name="d"/>.</summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, QuantizedLayer q) => CompileLayer(d, q).Program;

    /// <summary>Compiles <paramref name="q"/> and says which instructions belong to which operation.</summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledLayer CompileLayer(DesignModel d, QuantizedLayer q)
    {
        ArgumentNullException.ThrowIfNull(q);
        return CompileLayers(d, [q]);
    }

    /// <summary>
    /// Compiles a stack of layers (as <see cref="QuantizedLayer.CreateStack"/> makes) into one program: layer i+1 reads
    /// layer i's output Y where it lies. With more than one layer, tensors and operations carry the prefix <c>L{i}.</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledLayer CompileLayers(DesignModel d, IReadOnlyList<QuantizedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("no layers to compile", nameof(layers));
        }

        if (!d.SupportWs || !d.UnitSoftmax || !d.UnitLayerNorm || !d.UnitGelu)
        {
            throw new ArgumentException($"design '{d.Name}' needs the weight-stationary dataflow and the softmax, layernorm and gelu units to run a whole layer", nameof(d));
        }

        var first = layers[0];
        var spec = first.Spec;
        var b = new Builder(d, (spec.Hidden + d.Cols - 1) / d.Cols);
        var identity = new sbyte[d.Cols * d.Cols];
        for (var i = 0; i < d.Cols; i++)
        {
            identity[(i * d.Cols) + i] = 1;
        }

        b.Identity = b.Tensor("I", TensorRole.Input, d.Cols, d.Cols, identity);
        TensorRegion? x = null;
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i].Spec != spec)
            {
                throw new ArgumentException("every layer of a stack must have the same shape", nameof(layers));
            }

            var prefix = layers.Count == 1 ? string.Empty : "L" + i.ToString(CultureInfo.InvariantCulture) + ".";
            x ??= b.Tensor(prefix + "X", TensorRole.Input, spec.Seq, spec.Hidden, first.X);
            x = EmitLayer(b, layers[i], x, prefix);
        }

        var inv = CultureInfo.InvariantCulture;
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["kernel"] = "layer",
            ["layer"] = spec.ToString(),
            ["layers"] = layers.Count,
            ["seed"] = first.Seed,
            ["scale_x"] = first.ScaleX,
            ["scale_y"] = layers[^1].ScaleY,
            ["phases"] = b.PhaseCount,
            ["rounding"] = "half_up",
            ["poison"] = GemmCompiler.Poison.ToString(inv),
        };
        var name = $"layer:{spec.Name},seq={spec.Seq.ToString(inv)},seed={first.Seed.ToString(inv)}" + (layers.Count > 1 ? ",layers=" + layers.Count.ToString(inv) : string.Empty);
        var program = b.Build(name, spec.Macs * layers.Count, meta);
        return new CompiledLayer(program, b.Ops);
    }

    /// <summary>Emits one layer reading its input from <paramref name="x"/>; returns its output tensor.</summary>
    private static TensorRegion EmitLayer(Builder b, QuantizedLayer q, TensorRegion x, string prefix)
    {
        var spec = q.Spec;
        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, dh = spec.HeadDim;
        var wq = b.Tensor(prefix + "Wq", TensorRole.Input, h, h, q.Wq);
        var wk = b.Tensor(prefix + "Wk", TensorRole.Input, h, h, q.Wk);
        var wv = b.Tensor(prefix + "Wv", TensorRole.Input, h, h, q.Wv);
        var wo = b.Tensor(prefix + "Wo", TensorRole.Input, h, h, q.Wo);
        var w1 = b.Tensor(prefix + "W1", TensorRole.Input, h, f, q.W1);
        var w2 = b.Tensor(prefix + "W2", TensorRole.Input, f, h, q.W2);
        var bq = b.Blocks(prefix + "Bq", [q.Bq]);
        var bk = b.Blocks(prefix + "Bk", [q.Bk]);
        var bv = b.Blocks(prefix + "Bv", [q.Bv]);
        var bo = b.Blocks(prefix + "Bo", [q.Bo]);
        var b1 = b.Blocks(prefix + "B1", [q.B1]);
        var b2 = b.Blocks(prefix + "B2", [q.B2]);
        var gb1 = b.Blocks(prefix + "GB1", [q.Gamma1.Select(v => (int)v).ToArray(), q.Beta1]);
        var gb2 = b.Blocks(prefix + "GB2", [q.Gamma2.Select(v => (int)v).ToArray(), q.Beta2]);
        var qt = b.Tensor(prefix + "Q", TensorRole.Output, s, h, null);
        var kt = b.Tensor(prefix + "K", TensorRole.Output, s, h, null);
        var vt = b.Tensor(prefix + "V", TensorRole.Output, s, h, null);
        var pt = b.Tensor(prefix + "P", TensorRole.Output, spec.Heads * s, s, null);
        var ot = b.Tensor(prefix + "O", TensorRole.Output, s, h, null);
        var x1 = b.Tensor(prefix + "X1", TensorRole.Output, s, h, null);
        var ht = b.Tensor(prefix + "H", TensorRole.Output, s, f, null);
        var yt = b.Tensor(prefix + "Y", TensorRole.Output, s, h, null);

        var pre = spec.PreLayerNorm;
        var a1 = pre ? b.Tensor(prefix + "A1", TensorRole.Output, s, h, null) : null;
        var a2 = pre ? b.Tensor(prefix + "A2", TensorRole.Output, s, h, null) : null;
        var attnIn = new Operand(a1 ?? x, 0);
        long sh = (long)s * h;
        if (pre)
        {
            b.Op(prefix + "ln1", 0);
            b.LayerNorm(new(x, 0), s, h, gb1, q.Norm1, new(a1!, 0));
        }

        b.Op(prefix + "q_proj", sh * h);
        b.Gemm(attnIn, new(wq, 0), false, s, h, h, bq, Epilogue.Requantize, new(qt, 0), q.RequantQ);
        b.Op(prefix + "k_proj", sh * h);
        b.Gemm(attnIn, new(wk, 0), false, s, h, h, bk, Epilogue.Requantize, new(kt, 0), q.RequantK);
        b.Op(prefix + "v_proj", sh * h);
        b.Gemm(attnIn, new(wv, 0), false, s, h, h, bv, Epilogue.Requantize, new(vt, 0), q.RequantV);

        // Heads are software-pipelined: QKᵀ+softmax of head h+1 is issued before P·V of head h, in its own half of the
        // accumulator, so the array has work while the Softmax unit normalizes.
        void Qk(int head)
        {
            b.Op(prefix + "head" + head.ToString(CultureInfo.InvariantCulture) + ".qk_softmax", (long)s * s * dh);
            b.Gemm(new(qt, head * dh), new(kt, head * dh), true, s, s, dh, null, Epilogue.Softmax, new Operand(pt, head * s * pt.StrideBytes),
                softmax: q.Softmax, causal: spec.Causal, window: b.LowerWindow);
        }

        Qk(0);
        for (var head = 0; head < spec.Heads; head++)
        {
            if (head + 1 < spec.Heads)
            {
                Qk(head + 1);
            }

            b.Op(prefix + "head" + head.ToString(CultureInfo.InvariantCulture) + ".pv", (long)s * s * dh);
            b.Gemm(new Operand(pt, head * s * pt.StrideBytes), new(vt, head * dh), false, s, dh, s, null, Epilogue.Requantize, new(ot, head * dh), q.RequantO,
                window: b.UpperWindow);
        }

        if (pre)
        {
            b.Op(prefix + "out_proj_add1", sh * h);
            b.Gemm(new(ot, 0), new(wo, 0), false, s, h, h, bo, Epilogue.ResidualAdd, new(x1, 0), residual: new(x, 0), add: q.Add1);
            b.Op(prefix + "ln2", 0);
            b.LayerNorm(new(x1, 0), s, h, gb2, q.Norm2, new(a2!, 0));
            b.Op(prefix + "ffn1_gelu", sh * f);
            b.Gemm(new(a2!, 0), new(w1, 0), false, s, f, h, b1, Epilogue.Gelu, new(ht, 0), gelu: q.Gelu);
            b.Op(prefix + "ffn2_add2", sh * f);
            b.Gemm(new(ht, 0), new(w2, 0), false, s, h, f, b2, Epilogue.ResidualAdd, new(yt, 0), residual: new(x1, 0), add: q.Add2);
        }
        else
        {
            b.Op(prefix + "out_proj_ln1", sh * h);
            b.Gemm(new(ot, 0), new(wo, 0), false, s, h, h, bo, Epilogue.LayerNorm, new(x1, 0), norm: q.Norm1, residual: new(x, 0), affine: gb1);
            b.Op(prefix + "ffn1_gelu", sh * f);
            b.Gemm(new(x1, 0), new(w1, 0), false, s, f, h, b1, Epilogue.Gelu, new(ht, 0), gelu: q.Gelu);
            b.Op(prefix + "ffn2_ln2", sh * f);
            b.Gemm(new(ht, 0), new(w2, 0), false, s, h, f, b2, Epilogue.LayerNorm, new(yt, 0), norm: q.Norm2, residual: new(x1, 0), affine: gb2);
        }

        return yt;
    }

    private sealed record Operand(TensorRegion Tensor, long Offset)
    {
        public long Address(int row, int col) => Tensor.Address + Offset + (row * Tensor.StrideBytes) + col;
    }

    private sealed class Phase
    {
        public List<PendingInstruction> Loads { get; } = [];

        public List<PendingInstruction> Computes { get; } = [];

        public List<PendingInstruction> Stores { get; } = [];
    }

    /// <summary>
    /// Collects the layer as phases and lays out the memories. Accumulator, top down: the relay row, γ/β (2·hidden/COLS
    /// rows, loaded once per LayerNorm), two bias areas (one per scratchpad half), then the output buffers below.
    /// Scratchpad: the identity in the top COLS rows, the rest in two halves that alternate phase by phase, each with A
    /// at its bottom and B above.
    /// </summary>
    private sealed class Builder(DesignModel d, int hiddenBlocks)
    {
        private readonly List<Phase> phases = [];
        private readonly List<int> phaseOp = [];
        private readonly List<(string Name, long Macs)> ops = [];
        private readonly List<PendingInstruction> preamble = [];
        private readonly List<(TensorRegion Region, Action<byte[]> Fill)> tensors = [];
        private readonly long strideAlign = Math.Max(16, d.AxiDataBits / 8);
        private int[] opEnds = [];
        private long next;
        private TensorRegion? identity;

        public IReadOnlyList<LayerOp> Ops
        {
            get
            {
                var list = new List<LayerOp>();
                for (var i = 0; i < ops.Count; i++)
                {
                    list.Add(new LayerOp(ops[i].Name, i == 0 ? 0 : opEnds[i - 1], opEnds[i], ops[i].Macs));
                }

                return list;
            }
        }

        public TensorRegion? Identity
        {
            get => identity;
            set
            {
                identity = value;
                preamble.Add(Load(0, d.Cols, d.Cols, IdentityRow, value!.Address, value.StrideBytes));
            }
        }

        public int PhaseCount => phases.Count;

        /// <summary>Accumulator rows [0, this) hold output buffers.</summary>
        public int BufferTop => BiasRow(1);

        public (int Lo, int Hi) LowerWindow => (0, BufferTop / 2);

        public (int Lo, int Hi) UpperWindow => (BufferTop / 2, BufferTop);

        private int Relay => d.AccDepth - 1;

        private int GbRow => Relay - (2 * hiddenBlocks);

        private int BiasCap => hiddenBlocks;

        private int IdentityRow => d.SpDepth - d.Cols;

        private int SpHalf => IdentityRow / 2;

        /// <summary>
        /// With four or more scratchpad banks, each half is a group of banks: A (streamed on read port A) in its first
        /// bank, B (preloaded on port B) in the others, so a preload is never refused because A reads the same bank.
        /// </summary>
        private bool Banked => d.SpBanks >= 4;

        private int BankRows => d.SpDepth / d.SpBanks;

        private int BankedA(int half) => half * (d.SpBanks / 2) * BankRows;

        private (int Base, int Size) BankedB(int half)
        {
            var first = BankedA(half) + BankRows;
            var end = (half + 1) * (d.SpBanks / 2) * BankRows;
            return (first, Math.Min(end, IdentityRow) - first);
        }

        public void Op(string name, long macs) => ops.Add((name, macs));

        private int BiasRow(int half) => GbRow - ((half + 1) * BiasCap);

        public TensorRegion Tensor(string name, TensorRole role, int rows, int cols, sbyte[]? values)
        {
            var stride = Align(cols, strideAlign);
            var region = new TensorRegion(name, role, next, rows, cols, stride, ElementType.Int8);
            next = Align(next + (rows * stride), GemmCompiler.RegionAlign);
            tensors.Add((region, dram =>
            {
                for (var r = 0; r < rows; r++)
                {
                    var row = dram.AsSpan((int)(region.Address + (r * stride)), (int)stride);
                    if (values is null)
                    {
                        row.Fill(GemmCompiler.Poison);
                        continue;
                    }

                    for (var c = 0; c < cols; c++)
                    {
                        row[c] = (byte)values[(r * cols) + c];
                    }
                }
            }));
            return region;
        }

        /// <summary>Vectors as accumulator rows: block b of vector v at row b·count + v (so γ/β interleave as ln_affine expects).</summary>
        public TensorRegion Blocks(string name, int[][] vectors)
        {
            var blocks = (vectors[0].Length + d.Cols - 1) / d.Cols;
            var stride = Align(4L * d.Cols, strideAlign);
            var rows = blocks * vectors.Length;
            var region = new TensorRegion(name, TensorRole.Input, next, rows, d.Cols, stride, ElementType.Int32);
            next = Align(next + (rows * stride), GemmCompiler.RegionAlign);
            tensors.Add((region, dram =>
            {
                for (var v = 0; v < vectors.Length; v++)
                {
                    for (var c = 0; c < vectors[v].Length; c++)
                    {
                        var row = ((c / d.Cols) * vectors.Length) + v;
                        BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(region.Address + (row * stride) + (4L * (c % d.Cols))), 4), vectors[v][c]);
                    }
                }
            }));
            return region;
        }

        /// <summary>
        /// C = epilogue(A·B [+ bias]) as phases of (m-tile × n-group × k-group). <paramref name="window"/> is the range of
        /// accumulator rows its output buffers may use (default: all of them).
        /// </summary>
        public void Gemm(Operand a, Operand bOp, bool transposedB, int m, int n, int k, TensorRegion? bias, Epilogue epilogue, Operand c,
            Requantization? requant = null, IntSoftmaxConstants? softmax = null, bool causal = false, IntGeluConstants? gelu = null,
            IntLayerNormConstants? norm = null, Operand? residual = null, TensorRegion? affine = null, (int Lo, int Hi)? window = null,
            IntResidualAddConstants? add = null)
        {
            var withResidual = epilogue is Epilogue.LayerNorm or Epilogue.ResidualAdd;
            if (withResidual && d.SupportOs && ResidualGemmOs(a, bOp, m, n, k, bias!, epilogue, c, norm, add, residual!, affine))
            {
                return;
            }

            var (lo, hi) = window ?? (0, BufferTop);
            var span = hi - lo;
            var allBlocks = (n + d.Cols - 1) / d.Cols;
            var whole = epilogue is Epilogue.Softmax || withResidual;
            int nb, rowsPerM, buffers, tmMax;
            if (whole)
            {
                nb = allBlocks;
                rowsPerM = withResidual ? 2 * allBlocks : allBlocks;

                // Two buffers let the next tile compute while the unit normalizes this one, unless that would shrink the
                // m-tile below the array height (the array would then idle between weight loads anyway).
                buffers = span / (2 * rowsPerM) >= Math.Min(m, d.Rows) ? 2 : 1;
                tmMax = Math.Min(64, span / (buffers * rowsPerM));
            }
            else
            {
                buffers = 2;
                tmMax = Math.Min(m, 64);
                nb = Math.Max(1, Math.Min(Math.Min(allBlocks, BiasCap), span / (2 * tmMax)));
                tmMax = Math.Min(tmMax, span / (2 * nb));
                rowsPerM = nb;
            }

            if (tmMax < 1 || (bias is not null && nb > BiasCap))
            {
                throw new ArgumentException(TooWide(n, whole ? rowsPerM : nb, withResidual, span));
            }

            // Even m-tiles: the same number of tiles as tmMax gives, no runt at the end.
            var mTiles = (m + tmMax - 1) / tmMax;
            var tm = (m + mTiles - 1) / mTiles;

            // The k-group: as deep as one scratchpad half holds A (tm rows per ROWS-deep chunk) and nb blocks of B; with
            // banked halves, A and B each fill their own banks.
            var kg = Banked
                ? Math.Min(k, Math.Min(BankRows / tm, (BankedB(1).Size / nb) / d.Rows) * d.Rows)
                : Math.Min(k, SpHalf / (tm + (nb * d.Rows)) * d.Rows);
            if (kg < 1)
            {
                throw new ArgumentException($"design '{d.Name}': half the scratchpad cannot hold {nb} column blocks of B and {tm} rows of A");
            }

            var aArea = tm * ((kg + d.Rows - 1) / d.Rows);
            var pitch = (kg + d.Rows - 1) / d.Rows * d.Rows;
            var nGroups = (allBlocks + nb - 1) / nb;
            var kGroups = (k + kg - 1) / kg;
            var tile = 0;
            for (var m0 = 0; m0 < m; m0 += tm)
            {
                var mt = Math.Min(tm, m - m0);
                for (var g = 0; g < nGroups; g++, tile++)
                {
                    var accBase = lo + ((tile % buffers) * tm * rowsPerM);
                    var residualRow = buffers == 1 && withResidual ? ResidualRowFor(accBase, allBlocks * tm, hi) : accBase + (allBlocks * tm);
                    if (withResidual)
                    {
                        ResidualPhase(residual!, m0 == 0 ? affine : null, m0, mt, n, allBlocks, residualRow);
                    }

                    var g0 = g * nb;
                    var gBlocks = Math.Min(nb, allBlocks - g0);
                    for (var kgi = 0; kgi < kGroups; kgi++)
                    {
                        var half = phases.Count % 2;
                        var aBase = Banked ? BankedA(half) : half * SpHalf;
                        var bBase = Banked ? BankedB(half).Base : aBase + aArea;
                        var k0 = kgi * kg;
                        var kl = Math.Min(kg, k - k0);
                        var chunks = (kl + d.Rows - 1) / d.Rows;
                        var ph = new Phase();
                        for (var ci = 0; ci < chunks; ci++)
                        {
                            var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                            ph.Loads.Add(Load(0, mt, kc, aBase + (ci * mt), a.Address(m0, k0 + (ci * d.Rows)), a.Tensor.StrideBytes));
                        }

                        for (var j = 0; j < gBlocks; j++)
                        {
                            var n0 = (g0 + j) * d.Cols;
                            var nc = Math.Min(d.Cols, n - n0);
                            if (!transposedB)
                            {
                                ph.Loads.Add(Load(0, kl, nc, bBase + (j * pitch), bOp.Address(k0, n0), bOp.Tensor.StrideBytes));
                            }
                            else
                            {
                                for (var ci = 0; ci < chunks; ci++)
                                {
                                    var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                                    ph.Loads.Add(Load(1, nc, kc, bBase + (j * pitch) + (ci * d.Rows), bOp.Address(n0, k0 + (ci * d.Rows)), bOp.Tensor.StrideBytes));
                                }
                            }
                        }

                        if (bias is not null && kgi == 0)
                        {
                            ph.Loads.Add(Load(2, gBlocks, d.Cols, BiasRow(half), bias.Address + (g0 * bias.StrideBytes), bias.StrideBytes));
                        }

                        for (var j = 0; j < gBlocks; j++)
                        {
                            for (var ci = 0; ci < chunks; ci++)
                            {
                                var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                                var mode = kgi == 0 && ci == 0 ? (bias is null ? 0 : 2) : 1;
                                ph.Computes.Add(new PendingInstruction(Opcode.Compute, ("dataflow", 0), ("mode", mode), ("rows", mt), ("k", kc),
                                    ("a_addr", aBase + (ci * mt)), ("b_addr", bBase + (j * pitch) + (ci * d.Rows)), ("c_addr", accBase + (j * mt)),
                                    ("bias_addr", mode == 2 ? BiasRow(half) + j : 0)));
                            }
                        }

                        if (kgi == kGroups - 1)
                        {
                            Epilogues(ph, epilogue, c, m0, mt, g0, gBlocks, n, accBase, requant, softmax, causal, gelu, norm, residualRow, add);
                        }

                        Add(ph);
                    }
                }
            }
        }

        /// <summary>
        /// A GEMM whose output feeds LayerNorm, on the output-stationary dataflow. The accumulator holds only a few whole
        /// rows of N (output and residual), too few for the weight-stationary array to stream efficiently; output-stationary
        /// computes instead run all of K at once for ROWS rows. Per m-tile of ROWS rows: A is loaded transposed (one
        /// scratchpad row per k) into one of two A regions at the top, the B column blocks (K rows each) alternate between
        /// two halves below, the bias enters through compute mode bias. Returns false when the scratchpad cannot hold A
        /// and one block of B, so the caller falls back to the weight-stationary mapping.
        /// </summary>
        private bool ResidualGemmOs(Operand a, Operand bOp, int m, int n, int k, TensorRegion bias, Epilogue epilogue, Operand c,
            IntLayerNormConstants? norm, IntResidualAddConstants? add, Operand residual, TensorRegion? affine)
        {
            var blocks = (n + d.Cols - 1) / d.Cols;

            // ROWS tokens per m-tile, or fewer when the accumulator cannot hold them with their residual (bert-large).
            var tm = Math.Min(m, Math.Min(d.Rows, BufferTop / (2 * blocks)));
            if (tm < 1 || blocks > BiasCap || d.SpRowBytes < d.Rows)
            {
                return false;
            }

            // Banked: Aᵀ of even/odd tiles in the A banks of halves 0/1, the B blocks of a phase in its half's B banks, so
            // port A (Aᵀ) and port B (B) never meet in one bank. Otherwise: Aᵀ at the top, two B halves below.
            var banked = Banked && k <= BankRows && k <= BankedB(1).Size;
            var aBuffers = banked ? 2 : (IdentityRow - (2 * k)) / 2 >= k ? 2 : 1;
            var half = (IdentityRow - (aBuffers * k)) / 2;
            var perPhase = Math.Min(blocks, (banked ? BankedB(1).Size : half) / k);
            var residualRows = blocks * ((d.Cols + d.Rows - 1) / d.Rows) * tm;
            if (perPhase < 1 || residualRows > (banked ? BankRows : half))
            {
                return false;
            }

            var residualRow = ResidualRowFor(0, blocks * tm, BufferTop);
            var tile = 0;
            for (var m0 = 0; m0 < m; m0 += tm, tile++)
            {
                var mt = Math.Min(tm, m - m0);
                var aT = banked ? BankedA(tile % 2) : IdentityRow - (((tile % aBuffers) + 1) * k);

                // Banked, the residual tile goes where the previous tile's Aᵀ was: it is loaded once that tile's computes are
                // done, while this tile's Aᵀ loads into the other A bank.
                ResidualPhase(residual, m0 == 0 ? affine : null, m0, mt, n, blocks, residualRow, banked ? BankedA((tile + 1) % 2) : (phases.Count % 2) * half);
                for (var j0 = 0; j0 < blocks; j0 += perPhase)
                {
                    var h = phases.Count % 2;
                    var ph = new Phase();
                    if (j0 == 0)
                    {
                        for (var k0 = 0; k0 < k; k0 += d.SpRowBytes)
                        {
                            ph.Loads.Add(Load(1, mt, Math.Min(d.SpRowBytes, k - k0), aT + k0, a.Address(m0, k0), a.Tensor.StrideBytes));
                        }

                        if (m0 == 0)
                        {
                            ph.Loads.Add(Load(2, blocks, d.Cols, BiasRow(0), bias.Address, bias.StrideBytes));
                        }
                    }

                    for (var j = j0; j < Math.Min(blocks, j0 + perPhase); j++)
                    {
                        var n0 = j * d.Cols;
                        var bRow = (banked ? BankedB(h).Base : h * half) + ((j - j0) * k);
                        ph.Loads.Add(Load(0, k, Math.Min(d.Cols, n - n0), bRow, bOp.Address(0, n0), bOp.Tensor.StrideBytes));
                        ph.Computes.Add(new PendingInstruction(Opcode.Compute, ("dataflow", 1), ("mode", 2), ("rows", mt), ("k", k),
                            ("a_addr", aT), ("b_addr", bRow), ("c_addr", j * mt), ("bias_addr", BiasRow(0) + j)));
                    }

                    if (j0 + perPhase >= blocks)
                    {
                        Epilogues(ph, epilogue, c, m0, mt, 0, blocks, n, 0, null, null, false, null, norm, residualRow, add);
                    }

                    Add(ph);
                }
            }

            return true;
        }

        private void Add(Phase ph)
        {
            phases.Add(ph);
            phaseOp.Add(ops.Count - 1);
        }

        private void Epilogues(Phase ph, Epilogue epilogue, Operand c, int m0, int mt, int g0, int gBlocks, int n, int accBase,
            Requantization? requant, IntSoftmaxConstants? softmax, bool causal, IntGeluConstants? gelu, IntLayerNormConstants? norm, int residualRow,
            IntResidualAddConstants? add = null)
        {
            switch (epilogue)
            {
                case Epilogue.Requantize:
                case Epilogue.Gelu:
                    if (epilogue == Epilogue.Requantize)
                    {
                        ph.Stores.Add(new PendingInstruction(Opcode.ConfigStore, ("multiplier", requant!.Multiplier), ("shift", requant.Shift), ("relu", requant.Relu ? 1 : 0)));
                    }
                    else
                    {
                        ph.Stores.AddRange(RowOpCompiler.GeluConfig(gelu!).Select(Pending));
                    }

                    for (var j = 0; j < gBlocks; j++)
                    {
                        var n0 = (g0 + j) * d.Cols;
                        ph.Stores.Add(new PendingInstruction(Opcode.Store, ("func", epilogue == Epilogue.Gelu ? 1 : 0), ("rows", mt), ("cols", Math.Min(d.Cols, n - n0)),
                            ("local_addr", accBase + (j * mt)), ("dram_addr", c.Address(m0, n0)), ("dram_stride", c.Tensor.StrideBytes)));
                    }

                    break;
                case Epilogue.Softmax:
                    ph.Stores.AddRange(RowOpCompiler.SoftmaxConfig(softmax!).Select(Pending));
                    ph.Stores.Add(new PendingInstruction(Opcode.Normalize, ("func", 0), ("causal", causal ? 1 : 0), ("mask_offset", causal ? m0 : 0), ("rows", mt),
                        ("width", n), ("local_addr", accBase), ("dram_addr", c.Address(m0, 0)), ("dram_stride", c.Tensor.StrideBytes)));
                    break;
                case Epilogue.ResidualAdd:
                    ph.Stores.AddRange(RowOpCompiler.ResidualAddConfig(add!).Select(Pending));
                    ph.Stores.Add(Pending(RowOpCompiler.ResidualRow(residualRow)));
                    ph.Stores.Add(new PendingInstruction(Opcode.Normalize, ("func", 2), ("rows", mt), ("width", n), ("local_addr", accBase),
                        ("dram_addr", c.Address(m0, 0)), ("dram_stride", c.Tensor.StrideBytes)));
                    break;
                default:
                    ph.Stores.AddRange(RowOpCompiler.LayerNormConfig(norm!, GbRow).Select(Pending));
                    ph.Stores.Add(Pending(RowOpCompiler.ResidualRow(residualRow < 0 ? null : residualRow)));
                    ph.Stores.Add(new PendingInstruction(Opcode.Normalize, ("func", 1), ("rows", mt), ("width", n), ("local_addr", accBase),
                        ("dram_addr", c.Address(m0, 0)), ("dram_stride", c.Tensor.StrideBytes)));
                    break;
            }
        }

        /// <summary>The error for a row that does not fit the accumulator, with the arithmetic that shows it.</summary>
        private string TooWide(int n, int rowsPerToken, bool withResidual, int left) =>
            $"a row of {n} elements needs {rowsPerToken} accumulator rows per token{(withResidual ? " (output and residual)" : string.Empty)}, but design '{d.Name}' " +
            $"has {left} of its {d.AccDepth} accumulator rows left after γ/β ({2 * hiddenBlocks}), two bias areas ({2 * BiasCap}) and the relay row (accumulator.kib or array.cols must grow)";

        /// <summary>
        /// Where the residual of an output at <paramref name="xRow"/> (span rows) goes: at the start of the next accumulator
        /// bank when that keeps it below <paramref name="top"/> (the unit then reads x and the residual in one cycle),
        /// else right after the output.
        /// </summary>
        private int ResidualRowFor(int xRow, int span, int top)
        {
            var bankRows = d.AccDepth / d.AccBanks;
            var next = ((xRow / bankRows) + 1) * bankRows;
            return next + span <= top && RowOpCompiler.PairedReads(d, xRow, next, span) ? next : xRow + span;
        }

        /// <summary>
        /// LayerNorm of an int8 tensor without residual (pre-LN): each m-tile enters the accumulator through the identity
        /// matmul and is normalized in place; two buffers let the next tile enter while this one is normalized.
        /// </summary>
        public void LayerNorm(Operand x, int m, int n, TensorRegion affine, IntLayerNormConstants norm, Operand c)
        {
            var blocks = (n + d.Cols - 1) / d.Cols;
            var chunksPerBlock = (d.Cols + d.Rows - 1) / d.Rows;
            var buffers = BufferTop / (2 * blocks) >= 1 ? 2 : 1;
            var tmMax = Math.Min(64, Math.Min(BufferTop / (buffers * blocks), (Banked ? BankRows : SpHalf) / (blocks * chunksPerBlock)));
            if (tmMax < 1)
            {
                throw new ArgumentException(TooWide(n, blocks, false, BufferTop));
            }

            var tiles = (m + tmMax - 1) / tmMax;
            var tm = (m + tiles - 1) / tiles;
            var tile = 0;
            for (var m0 = 0; m0 < m; m0 += tm, tile++)
            {
                var mt = Math.Min(tm, m - m0);
                var accBase = (tile % buffers) * tm * blocks;
                var ph = ResidualPhase(x, m0 == 0 ? affine : null, m0, mt, n, blocks, accBase);
                Epilogues(ph, Epilogue.LayerNorm, c, m0, mt, 0, blocks, n, accBase, null, null, false, null, norm, -1);
            }
        }

        /// <summary>Loads γ/β (first tile only) and the residual tile, and multiplies the residual by the identity into its accumulator rows.</summary>
        private Phase ResidualPhase(Operand residual, TensorRegion? affine, int m0, int mt, int n, int blocks, int residualRow, int? aBase = null)
        {
            var ph = new Phase();
            var spBase = aBase ?? (Banked ? BankedA(phases.Count % 2) : (phases.Count % 2) * SpHalf);
            if (affine is not null)
            {
                ph.Loads.Add(Load(2, affine.Rows, d.Cols, GbRow, affine.Address, affine.StrideBytes));
            }

            var chunksPerBlock = (d.Cols + d.Rows - 1) / d.Rows;
            if (blocks * chunksPerBlock * mt > (Banked ? BankRows : SpHalf) && aBase is null)
            {
                throw new ArgumentException($"design '{d.Name}': the residual tile of {mt} rows × {n} does not fit half the scratchpad");
            }

            for (var j = 0; j < blocks; j++)
            {
                for (var ci = 0; ci < chunksPerBlock; ci++)
                {
                    var col = (j * d.Cols) + (ci * d.Rows);
                    if (col >= n)
                    {
                        break;
                    }

                    var kc = Math.Min(d.Rows, Math.Min(d.Cols - (ci * d.Rows), n - col));
                    var aRow = spBase + (((j * chunksPerBlock) + ci) * mt);
                    ph.Loads.Add(Load(0, mt, kc, aRow, residual.Address(m0, col), residual.Tensor.StrideBytes));
                    ph.Computes.Add(new PendingInstruction(Opcode.Compute, ("dataflow", 0), ("mode", ci == 0 ? 0 : 1), ("rows", mt), ("k", kc),
                        ("a_addr", aRow), ("b_addr", IdentityRow + (ci * d.Rows)), ("c_addr", residualRow + (j * mt))));
                }
            }

            Add(ph);
            return ph;
        }

        /// <summary>
        /// Orders the phases (the loads of phase p+1 interleaved with the computes of phase p, unless they touch what phase
        /// p uses), then lets <see cref="TokenScheduler"/> set the tokens.
        /// </summary>
        public CompiledProgram Build(string workload, long macs, IReadOnlyDictionary<string, object> meta)
        {
            var order = new List<PendingInstruction>(preamble);
            var phaseEnd = new int[phases.Count];
            for (var i = 0; i < phases.Count; i++)
            {
                var ph = phases[i];
                if (ph.Loads.Count == 0 || ph.Computes.Count == 0)
                {
                    throw new InvalidOperationException("compiler bug: a layer phase without loads or computes");
                }

                if (i == 0)
                {
                    order.AddRange(ph.Loads);
                }

                var nextPhase = i + 1 < phases.Count ? phases[i + 1] : null;
                var hoist = nextPhase is not null && !TokenScheduler.Conflicts(d, ph.Computes.Concat(ph.Stores), nextPhase.Loads);
                if (hoist)
                {
                    var loads = nextPhase!.Loads;
                    var emitted = 0;
                    for (var ci = 0; ci < ph.Computes.Count; ci++)
                    {
                        order.Add(ph.Computes[ci]);
                        var upTo = (int)(((long)(ci + 1) * loads.Count + ph.Computes.Count - 1) / ph.Computes.Count);
                        while (emitted < upTo)
                        {
                            order.Add(loads[emitted++]);
                        }
                    }
                }
                else
                {
                    order.AddRange(ph.Computes);
                }

                order.AddRange(ph.Stores);
                if (nextPhase is not null && !hoist)
                {
                    order.AddRange(nextPhase.Loads);
                }

                phaseEnd[i] = order.Count;
            }

            var (scheduled, position) = TokenScheduler.Schedule(d, order, Relay);
            opEnds = new int[ops.Count];
            for (var i = 0; i < phases.Count; i++)
            {
                var end = phaseEnd[i] < order.Count ? position[phaseEnd[i]] : scheduled.Count;
                opEnds[phaseOp[i]] = Math.Max(opEnds[phaseOp[i]], end);
            }

            for (var i = 1; i < opEnds.Length; i++)
            {
                opEnds[i] = Math.Max(opEnds[i], opEnds[i - 1]);
            }

            var program = scheduled.Select(p => p.Build()).ToList();
            var addrP = Align(next, GemmCompiler.RegionAlign);
            var size = Align(addrP + ((long)program.Count * IsaSpec.InstructionBytes), 4096);
            if (size > int.MaxValue || size > (1L << d.AxiAddrBits))
            {
                throw new ArgumentException($"the DRAM image of {workload} needs {size} bytes, more than the address space of design '{d.Name}'");
            }

            var dram = new byte[size];
            foreach (var (_, fill) in tensors)
            {
                fill(dram);
            }

            for (var pc = 0; pc < program.Count; pc++)
            {
                program[pc].Encode().CopyTo(dram, addrP + ((long)pc * IsaSpec.InstructionBytes));
            }

            return new CompiledProgram
            {
                Workload = workload,
                Instructions = program,
                Dram = dram,
                ProgramAddress = addrP,
                Tensors = tensors.Select(t => t.Region).ToList(),
                Macs = macs,
                Meta = meta,
            };
        }

        private static PendingInstruction Pending(Instruction insn) =>
            new(insn.Opcode, insn.Format.Fields.Where(f => f.Name != "opcode").Select(f => (f.Name, (long)insn.Get64(f.Name))).Where(v => v.Item2 != 0).ToArray());

        private static PendingInstruction Load(int target, int rows, int cols, int local, long dram, long stride) =>
            new(Opcode.Load, ("target", target), ("rows", rows), ("cols", cols), ("local_addr", local), ("dram_addr", dram), ("dram_stride", stride));

        private static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
    }
}
