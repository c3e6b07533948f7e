using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// One sequence of an attention run: Q, K, V and O start at the sequence's first row (head h at column h·HeadDim), P
/// holds Heads·Seq rows of Seq probabilities (head h from row h·Seq). Operations are named
/// <c>{Name}head{h}.qk_softmax</c> and <c>{Name}head{h}.pv</c>.
/// </summary>
internal sealed record AttentionSequence(string Name, int Heads, int Seq, int HeadDim, Operand Q, Operand K, Operand V, TensorRegion P, Operand O,
    IntSoftmaxConstants Softmax, bool Causal, Requantization RequantO)
{
    /// <summary>Late-normalized Softmax (softmax_late normalize, requant_row stores; only <see cref="PhaseBuilder.AttentionHeads"/> lowers it).</summary>
    public bool Late { get; init; }
}

/// <summary>Short attention sequences, grouped: several heads share one Softmax <c>normalize</c>.</summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>Longest sequence the grouped lowering takes (longer ones keep the m-tiled per-head lowering).</summary>
    private const int GroupedAttentionMaxSeq = KernelGeometry.GroupedAttentionMaxSeq;

    /// <summary>Most tokens of a window of sequences whose Q and V stay in the scratchpad.</summary>
    private const int AttentionWindowTokens = 64;

    /// <summary>
    /// Lowers consecutive attention sequences (the sentences of a packed batch) as groups of G heads of one sequence
    /// (G = 1 when causal, as the mask offset is per instruction): QKᵀ of each head of a group into its own logical rows
    /// of a score buffer (block-major over the group's G·Seq rows), ONE Softmax <c>normalize</c> of the whole group into
    /// P, then P·V of the group's heads (one phase) into one output buffer, stored after its last compute. Groups are
    /// software-pipelined so the store unit (the Softmax divider's per-row time bounds attention) never waits: in program
    /// order the normalize of group t comes before the QKᵀ of group t+1 (the other of two score buffers) and the P·V of
    /// group t−1 (whose P the previous normalize wrote), so all array work for the next normalize is dispatched while this
    /// one runs. Loads are few and long: the scratchpad keeps Q and V of a window of sequences (up to
    /// <see cref="AttentionWindowTokens"/> tokens, one load per head and 16 columns, in the first group that uses them; two
    /// windows alternate), P of a group is one load per 16 columns, only Kᵀ is loaded per head. Banks (four or more):
    /// Q in the A bank of half 0, Kᵀ in its B banks, P in the A bank of half 1, V in its B banks, so QKᵀ and P·V each
    /// stream A and preload B from different banks. Returns false, emitting nothing, for a single sequence (its heads
    /// pipeline better one by one), without four scratchpad banks, when
    /// a sequence is longer than <see cref="GroupedAttentionMaxSeq"/>, or when the buffers do not fit; the caller then
    /// lowers head by head.
    /// </summary>
    public bool AttentionGroups(IReadOnlyList<AttentionSequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count < 2 || !plan.Banked || sequences.Any(s => s.Seq > GroupedAttentionMaxSeq || s.Late))
        {
            return false;
        }

        int Blocks(int cols) => (cols + d.Cols - 1) / d.Cols;
        int Chunks(int k) => (k + d.Rows - 1) / d.Rows;
        var heads = sequences.Max(s => s.Heads);
        var maxSeq = sequences.Max(s => s.Seq);

        // Scratchpad areas and the window of sequences whose Q (A bank of half 0) and V (B banks of half 1) stay.
        var (qArea, kArea, pArea, vArea) = (plan.BankRows, plan.BankedB(0).Size, plan.BankRows, plan.BankedB(1).Size);
        var (qStrips, vStrips) = (heads * sequences.Max(s => Chunks(s.HeadDim)), heads * sequences.Max(s => Blocks(s.HeadDim)));
        var window = Math.Min(AttentionWindowTokens, Math.Min(qArea / (2 * qStrips), vArea / (2 * vStrips)));
        var kSlot = sequences.Max(s => Blocks(s.Seq) * Chunks(s.HeadDim) * d.Rows);
        if (window < maxSeq || 2 * kSlot > kArea)
        {
            return false;
        }

        // Accumulator: two score buffers of G heads (block-major), then one output buffer of G heads; P of G heads twice.
        var scorePerHead = sequences.Max(s => s.Seq * Blocks(s.Seq));
        var outPerHead = sequences.Max(s => s.Seq * Blocks(s.HeadDim));
        var pPerHead = sequences.Max(s => s.Seq * Chunks(s.Seq));
        var g = Math.Min(heads, Math.Min(plan.BufferTop / ((2 * scorePerHead) + outPerHead), pArea / (2 * pPerHead)));
        if (sequences.Any(s => s.Causal))
        {
            g = Math.Min(g, 1);
        }

        if (g < 1)
        {
            return false;
        }

        // Windows: consecutive sequences of at most `window` tokens; Q and V rows of a window are contiguous.
        var windowOf = new int[sequences.Count];
        var windowFirst = new List<int>();
        for (int i = 0, tokens = 0; i < sequences.Count; i++)
        {
            if (i == 0 || tokens + sequences[i].Seq > window || sequences[i].Q.Offset != sequences[i - 1].Q.Offset + (sequences[i - 1].Seq * sequences[i - 1].Q.Tensor.StrideBytes)
                || sequences[i].V.Offset != sequences[i - 1].V.Offset + (sequences[i - 1].Seq * sequences[i - 1].V.Tensor.StrideBytes))
            {
                windowFirst.Add(i);
                tokens = 0;
            }

            windowOf[i] = windowFirst.Count - 1;
            tokens += sequences[i].Seq;
        }

        int WindowTokens(int w) => Enumerable.Range(windowFirst[w], (w + 1 < windowFirst.Count ? windowFirst[w + 1] : sequences.Count) - windowFirst[w]).Sum(i => sequences[i].Seq);
        int RowInWindow(int si) => Enumerable.Range(windowFirst[windowOf[si]], si - windowFirst[windowOf[si]]).Sum(i => sequences[i].Seq);
        // Who loads the Q and V strips of head h of window w: the first window's first sequence; later windows are
        // prefetched by the sequences of the window before, head h by its (h mod size)-th sequence, spreading the loads.
        var loads = new Dictionary<(int Si, int H), List<int>>();
        for (var w = 0; w < windowFirst.Count; w++)
        {
            var (from, size) = w == 0 ? (windowFirst[0], 1) : (windowFirst[w - 1], windowFirst[w] - windowFirst[w - 1]);
            for (var h = 0; h < heads; h++)
            {
                var key = (from + (h % size), h);
                if (!loads.TryGetValue(key, out var list))
                {
                    loads[key] = list = [];
                }

                list.Add(w);
            }
        }

        IEnumerable<int> Strips(int si, int h) => loads.TryGetValue((si, h), out var list) ? list : [];

        // V of the first window comes with the second sequence's Kᵀ (while the first normalize runs), not with the
        // first P·V, which shares the load unit with the third sequence's QKᵀ.
        IEnumerable<int> QStrips(int si, int h) => Strips(si, h);
        IEnumerable<int> VStrips(int si, int h, bool inScores) =>
            inScores ? (si == 1 ? [0] : []) : Strips(si, h).Where(w => w > 0);
        var qBase = plan.BankedA(0);
        var kBase = plan.BankedB(0).Base;
        var pBase = plan.BankedA(1);
        var vBase = plan.BankedB(1).Base;
        int QStrip(int w, int strip) => qBase + ((w % 2) * (qArea / 2)) + (strip * window);
        int VStrip(int w, int strip) => vBase + ((w % 2) * (vArea / 2)) + (strip * window);

        var groups = new List<(int Si, int H0, int G)>();
        for (var si = 0; si < sequences.Count; si++)
        {
            for (var h0 = 0; h0 < sequences[si].Heads; h0 += g)
            {
                groups.Add((si, h0, Math.Min(g, sequences[si].Heads - h0)));
            }
        }

        var scoreRows = g * scorePerHead;
        var outBase = 2 * scoreRows;
        var qkPhases = 0;
        string Name(AttentionSequence s, int head, string op) => s.Name + "head" + head.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + op;

        void Scores(int t)
        {
            var (si, h0, gt) = groups[t];
            var s = sequences[si];
            var (n, dh, w) = (s.Seq, s.HeadDim, windowOf[si]);
            var (chunks, blocks) = (Chunks(dh), Blocks(n));
            var row = RowInWindow(si);
            for (var i = 0; i < gt; i++)
            {
                var h = h0 + i;
                Op(Name(s, h, "qk_softmax"), Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
                var ph = new Phase();
                foreach (var lw in QStrips(si, h))
                {
                    var ls = sequences[windowFirst[lw]];
                    for (var c = 0; c < chunks; c++)
                    {
                        ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, WindowTokens(lw), Math.Min(d.Rows, dh - (c * d.Rows)), QStrip(lw, (h * chunks) + c),
                            ls.Q.Address(0, (h * dh) + (c * d.Rows)), ls.Q.Tensor.StrideBytes));
                    }
                }

                VLoads(ph, si, h, true);
                var kb = kBase + ((qkPhases++ % 2) * kSlot);
                KeysTransposed(ph, s, h, kb);

                for (var j = 0; j < blocks; j++)
                {
                    for (var c = 0; c < chunks; c++)
                    {
                        ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, c == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, n, Math.Min(d.Rows, dh - (c * d.Rows)),
                            QStrip(w, (h * chunks) + c) + row, kb + (((j * chunks) + c) * d.Rows), ((t % 2) * scoreRows) + (j * gt * n) + (i * n)));
                    }
                }

                Add(ph);
            }
        }

        void VLoads(Phase ph, int si, int h, bool inScores)
        {
            var dh = sequences[si].HeadDim;
            foreach (var lw in VStrips(si, h, inScores))
            {
                var ls = sequences[windowFirst[lw]];
                for (var j = 0; j < Blocks(dh); j++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, WindowTokens(lw), Math.Min(d.Cols, dh - (j * d.Cols)), VStrip(lw, (h * Blocks(dh)) + j),
                        ls.V.Address(0, (h * dh) + (j * d.Cols)), ls.V.Tensor.StrideBytes));
                }
            }
        }

        void Normalize(int t)
        {
            var (si, h0, gt) = groups[t];
            var s = sequences[si];
            var stores = phases[^1].Stores;
            if (t == 0 || !ReferenceEquals(sequences[groups[t - 1].Si].Softmax, s.Softmax))
            {
                stores.AddRange(PostConfig.Softmax(s.Softmax));
            }

            stores.Add(PendingInstruction.Normalize(NormalizeFunc.Softmax, gt * s.Seq, s.Seq, (t % 2) * scoreRows,
                s.P.Address + (h0 * s.Seq * s.P.StrideBytes), s.P.StrideBytes, s.Causal));
        }

        void Outputs(int t)
        {
            var (si, h0, gt) = groups[t];
            var s = sequences[si];
            var (n, dh, w) = (s.Seq, s.HeadDim, windowOf[si]);
            var (chunks, blocks) = (Chunks(n), Blocks(dh));
            var row = RowInWindow(si);
            Op(Name(s, h0, "pv"), gt * Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
            var ph = new Phase();
            var pb = pBase + ((t % 2) * (pArea / 2));
            for (var c = 0; c < chunks; c++)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, gt * n, Math.Min(d.Rows, n - (c * d.Rows)), pb + (c * gt * n),
                    s.P.Address + (h0 * n * s.P.StrideBytes) + (c * d.Rows), s.P.StrideBytes));
            }

            for (var i = 0; i < gt; i++)
            {
                var h = h0 + i;
                VLoads(ph, si, h, false);

                for (var j = 0; j < blocks; j++)
                {
                    for (var c = 0; c < chunks; c++)
                    {
                        ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, c == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, n, Math.Min(d.Rows, n - (c * d.Rows)),
                            pb + (c * gt * n) + (i * n), VStrip(w, (h * blocks) + j) + row + (c * d.Rows), outBase + (((i * blocks) + j) * n)));
                    }
                }
            }

            // The group's stores after its last compute, so the dispatcher meets them only once the array has all its work.
            ph.Stores.Add(PendingInstruction.ConfigStore(s.RequantO));
            for (var i = 0; i < gt; i++)
            {
                for (var j = 0; j < blocks; j++)
                {
                    ph.Stores.Add(PendingInstruction.Store(StoreFunc.Requantize, n, Math.Min(d.Cols, dh - (j * d.Cols)), outBase + (((i * blocks) + j) * n),
                        s.O.Address(0, ((h0 + i) * dh) + (j * d.Cols)), s.O.Tensor.StrideBytes));
                }
            }

            Add(ph);
        }

        Scores(0);
        for (var t = 0; t < groups.Count; t++)
        {
            Normalize(t);
            if (t + 1 < groups.Count)
            {
                Scores(t + 1);
            }

            if (t >= 1)
            {
                Outputs(t - 1);
            }
        }

        Outputs(groups.Count - 1);
        return true;
    }

    /// <summary>
    /// Loads Kᵀ of head <paramref name="head"/> transposed from <paramref name="kb"/>: key block j (COLS keys) and head
    /// dimension chunk c (ROWS dimensions) at kb + (j·chunks + c)·ROWS, so a block's dimensions are contiguous rows (the
    /// weight-stationary B of each chunk, and the output-stationary B of the whole head dimension).
    /// </summary>
    private void KeysTransposed(Phase ph, AttentionSequence s, int head, int kb)
    {
        var (n, dh) = (s.Seq, s.HeadDim);
        var chunks = (dh + d.Rows - 1) / d.Rows;
        for (var j = 0; j * d.Cols < n; j++)
        {
            for (var c = 0; c < chunks; c++)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, Math.Min(d.Cols, n - (j * d.Cols)), Math.Min(d.Rows, dh - (c * d.Rows)),
                    kb + (((j * chunks) + c) * d.Rows), s.K.Address(j * d.Cols, (head * dh) + (c * d.Rows)), s.K.Tensor.StrideBytes));
            }
        }
    }
}
