using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Compiler;

/// <summary>Late-normalized attention whose keys do not fit the per-head lowering, in chunks of keys with recomputation.</summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>Most keys of one chunk (a normalize's width; the score buffers hold ROWS queries × one chunk).</summary>
    public const int MaxKeyChunk = 512;

    /// <summary>Most queries of a P·V tile.</summary>
    private const int KeyBlockedMaxTp = 64;

    /// <summary>
    /// Key-blocked attention by recomputation (issue 13; docs/architecture.md, "Key-blocked attention"), for a
    /// late-normalized sequence the per-head lowering cannot take (more than 512 tokens, or Kᵀ or V of a head larger than
    /// a bank). Keys are split into chunks of K (up to <see cref="MaxKeyChunk"/>, a multiple of ROWS and COLS) and queries
    /// into P·V tiles of Tp (up to 64, a multiple of ROWS). Per P·V tile and chunk c, for each QKᵀ tile of ROWS queries:
    /// pass A computes the chunk's scores (output-stationary, as the per-head lowering) and a normalize with
    /// config_post softmax_block = 1 (+4 on chunk 0) merges each row's maximum into its row-max slot; pass B recomputes
    /// them and a normalize with softmax_block 2 (3 on the tile's last chunk, +4 on chunk 0) writes u against the stored
    /// maximum into P and sums Σu in the row-scale slot; then P·V of the tile runs chunk by chunk (P and V of the chunk
    /// loaded into alternating slots), accumulating into one output buffer, stored with requant_row after the last. u and
    /// Σu are the unblocked late Softmax's integers, so the untiled reference is unchanged. Kᵀ of the head stays in the B
    /// bank of half 0 when it fits, else the chunk's Kᵀ is loaded per P·V tile and pass into two alternating slots. Tiles
    /// are software-pipelined across heads: the scores of tile i+1 are issued before the P·V of tile i (row-scale slots
    /// (i mod 2)·Tp + query). Causal: chunks past a QKᵀ tile's last query are skipped (a chunk starts at a multiple of
    /// ROWS, so its mask offset m0 − c·K is never negative). <paramref name="keyChunk"/> forces the chunk (0: the largest
    /// that fits). Returns false, emitting nothing, when the design lacks four scratchpad banks or the output-stationary
    /// dataflow, or no chunk fits the memories.
    /// </summary>
    public bool AttentionHeadsKeyBlocked(AttentionSequence s, int keyChunk = 0)
    {
        ArgumentNullException.ThrowIfNull(s);
        var (n, dh) = (s.Seq, s.HeadDim);
        if (!s.Late || !plan.Banked || !d.SupportOs)
        {
            return false;
        }

        int Div(int a, int b) => (a + b - 1) / b;
        var (cd, bd) = (Div(dh, d.Rows), Div(dh, d.Cols));
        var tm = Math.Min(d.Rows, n);
        var unit = Math.Max(d.Rows, d.Cols) % Math.Min(d.Rows, d.Cols) == 0 ? Math.Max(d.Rows, d.Cols) : d.Rows * d.Cols;
        var qSlotRows = Div(dh, d.SpRowBytes) * d.SpRowBytes;
        var vArea = plan.BankedB(1).Size;
        var kArea = plan.BankedB(0).Size;
        bool Fits(int k, int tq) => (2 * tm * (k / d.Cols)) + (2 * tq * bd) <= plan.GammaBetaRow && 2 * tq * (k / d.Rows) <= plan.BankRows
            && 2 * bd * k <= vArea && 2 * (k / d.Cols) * cd * d.Rows <= kArea && 2 * qSlotRows <= plan.BankRows && 2 * tq <= IsaSpec.RowScaleSlots;

        // The largest P·V tile, then the largest chunk, that fit; the chunks then evened out (1,024 keys: 3 × ~342, not 496 + 496 + 32).
        var (tp, chunk) = (0, 0);
        for (var tq = Math.Min(KeyBlockedMaxTp / tm * tm, Div(n, tm) * tm); tq >= tm && chunk == 0; tq -= tm)
        {
            // Causal: a chunk is a multiple of the P·V tile, so every QKᵀ tile of a P·V tile ends in the same chunk.
            var u = s.Causal ? unit * tq / (int)System.Numerics.BigInteger.GreatestCommonDivisor(unit, tq) : unit;
            var k = keyChunk > 0 ? keyChunk : Enumerable.Range(1, MaxKeyChunk / u).Select(i => (MaxKeyChunk / u + 1 - i) * u).FirstOrDefault(k => Fits(k, tq));
            if (k > 0 && k % u == 0 && k % tm == 0 && Fits(k, tq))
            {
                (tp, chunk) = (tq, keyChunk > 0 ? k : Div(Div(n, Div(n, k)), u) * u);
            }
        }

        if (chunk <= 0)
        {
            return false;
        }

        var chunks = Div(n, chunk);
        var kbc = chunk / d.Cols;                     // key blocks of a chunk
        var kChunkRows = kbc * cd * d.Rows;          // scratchpad rows of a chunk's Kᵀ
        var resident = Div(n, d.Cols) * cd * d.Rows <= kArea;
        var pvRequant = IntLateSoftmax.PvRequantization(s.RequantO);
        var (qBase, kBase, pBase, vBase) = (plan.BankedA(0), plan.BankedB(0).Base, plan.BankedA(1), plan.BankedB(1).Base);
        var scoreRows = tm * kbc;
        var items = Enumerable.Range(0, s.Heads).SelectMany(h => Enumerable.Range(0, Div(n, tp)).Select(p => (Head: h, P: p))).ToList();
        var (scorePhase, pvPhase, kLoads) = (0, 0, 0);
        var kLoaded = new HashSet<(int Head, int Chunk)>();

        // Each head's two operations; a tile's phases count toward its own head's operation wherever the software
        // pipeline puts them (the next tile's scores go out before this tile's P·V).
        var (qkOp, pvOp) = (new int[s.Heads], new int[s.Heads]);
        string Name(int head, string op) => s.Name + "head" + head.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + op;
        int Width(int c) => Math.Min(chunk, n - (c * chunk));
        int ChunksOf(int lastQuery) => s.Causal ? Math.Min(chunks, (lastQuery / chunk) + 1) : chunks;
        long PRow(int head, int m) => s.P.Address + (((long)(head * n) + m) * s.P.StrideBytes);

        void KeysChunk(Phase ph, int head, int c, int kb)
        {
            for (var j = 0; j * d.Cols < Width(c); j++)
            {
                for (var q = 0; q < cd; q++)
                {
                    var key = (c * chunk) + (j * d.Cols);
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, Math.Min(d.Cols, n - key), Math.Min(d.Rows, dh - (q * d.Rows)),
                        kb + (((j * cd) + q) * d.Rows), s.K.Address(key, (head * dh) + (q * d.Rows)), s.K.Tensor.StrideBytes));
                }
            }
        }

        void Scores(int i)
        {
            var (head, p) = items[i];
            if (p == 0)
            {
                qkOp[head] = Op(Name(head, "qk_softmax"), Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
            }

            var (q0, q1) = (p * tp, Math.Min(n, (p + 1) * tp));
            foreach (var outputPass in new[] { false, true })
            {
                for (var c = 0; c < ChunksOf(q1 - 1); c++)
                {
                    var kb = resident ? kBase + (c * kChunkRows) : kBase + ((kLoads % 2) * kChunkRows);
                    var loadKeys = !resident || !kLoaded.Contains((head, c));
                    kLoads += resident ? 0 : 1;
                    for (var m0 = q0; m0 < q1; m0 += tm)
                    {
                        var mt = Math.Min(tm, n - m0);
                        var last = ChunksOf(m0 + mt - 1);
                        if (c >= last)
                        {
                            continue;
                        }

                        var (qs, sb) = (qBase + ((scorePhase % 2) * qSlotRows), (scorePhase % 2) * scoreRows);
                        scorePhase++;
                        var ph = new Phase();
                        for (var piece = 0; piece * d.SpRowBytes < dh; piece++)
                        {
                            ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, mt, Math.Min(d.SpRowBytes, dh - (piece * d.SpRowBytes)),
                                qs + (piece * d.SpRowBytes), s.Q.Address(m0, (head * dh) + (piece * d.SpRowBytes)), s.Q.Tensor.StrideBytes));
                        }

                        if (loadKeys)
                        {
                            KeysChunk(ph, head, c, kb);
                            kLoaded.Add((head, c));
                            loadKeys = false;
                        }

                        var blocks = s.Causal ? Math.Min(Div(Width(c), d.Cols), ((m0 + mt - 1 - (c * chunk)) / d.Cols) + 1) : Div(Width(c), d.Cols);
                        for (var j = 0; j < blocks; j++)
                        {
                            ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, ComputeMode.Overwrite, mt, dh, qs, kb + (j * cd * d.Rows), sb + (j * mt)));
                        }

                        if (i == 0 && !outputPass && m0 == q0 && c == 0)
                        {
                            ph.Stores.AddRange(PostConfig.Softmax(s.Softmax));
                            ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxPvMult, pvRequant.Multiplier));
                        }

                        var mode = (outputPass ? (c == last - 1 ? 3 : 2) : 1) | (c == 0 ? 4 : 0);
                        ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxBlock, mode));
                        ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.RowScaleBase, ((i % 2) * tp) + (m0 - q0)));
                        // Causal: the normalize spans the columns the P·V tile reads; its masked lanes write P's zeros.
                        ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.SoftmaxLate, mt, s.Causal ? Math.Min(Width(c), q1 - (c * chunk)) : Width(c), sb, PRow(head, m0) + (c * chunk),
                            s.P.StrideBytes, s.Causal, s.Causal ? m0 - (c * chunk) : 0));
                        Add(ph, qkOp[head]);
                    }
                }
            }
        }

        void Outputs(int i)
        {
            var (head, p) = items[i];
            if (p == 0)
            {
                pvOp[head] = Op(Name(head, "pv"), Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
            }

            var (q0, mt) = (p * tp, Math.Min(tp, n - (p * tp)));
            var ob = (2 * scoreRows) + ((i % 2) * tp * bd);
            var used = ChunksOf(q0 + mt - 1);
            for (var c = 0; c < used; c++)
            {
                var slot = pvPhase++ % 2;
                var (ps, vs) = (pBase + (slot * tp * (chunk / d.Rows)), vBase + (slot * bd * chunk));
                var keys = s.Causal ? Math.Min(Width(c), q0 + mt - (c * chunk)) : Width(c);
                var sub = Div(keys, d.Rows);
                var ph = new Phase();
                for (var kk = 0; kk < sub; kk++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, mt, Math.Min(d.Rows, keys - (kk * d.Rows)), ps + (kk * tp),
                        PRow(head, q0) + (c * chunk) + (kk * d.Rows), s.P.StrideBytes));
                }

                for (var j = 0; j < bd; j++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, keys, Math.Min(d.Cols, dh - (j * d.Cols)), vs + (j * chunk),
                        s.V.Address(c * chunk, (head * dh) + (j * d.Cols)), s.V.Tensor.StrideBytes));
                }

                for (var kk = 0; kk < sub; kk++)
                {
                    for (var j = 0; j < bd; j++)
                    {
                        ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, c == 0 && kk == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, mt,
                            Math.Min(d.Rows, keys - (kk * d.Rows)), ps + (kk * tp), vs + (j * chunk) + (kk * d.Rows), ob + (j * mt)));
                    }
                }

                if (c == used - 1)
                {
                    ph.Stores.Add(PendingInstruction.ConfigStore(pvRequant with { Shift = pvRequant.Shift + IntLateSoftmax.RowShift }));
                    ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.RowScaleBase, (i % 2) * tp));
                    for (var j = 0; j < bd; j++)
                    {
                        ph.Stores.Add(PendingInstruction.Store(StoreFunc.RequantizeRow, mt, Math.Min(d.Cols, dh - (j * d.Cols)), ob + (j * mt),
                            s.O.Address(q0, (head * dh) + (j * d.Cols)), s.O.Tensor.StrideBytes));
                    }
                }

                Add(ph, pvOp[head]);
            }
        }

        Scores(0);
        for (var i = 0; i < items.Count; i++)
        {
            if (i + 1 < items.Count)
            {
                Scores(i + 1);
            }

            Outputs(i);
        }

        // Later late normalizes of the program are unblocked.
        phases[^1].Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxBlock, 0));
        return true;
    }
}
