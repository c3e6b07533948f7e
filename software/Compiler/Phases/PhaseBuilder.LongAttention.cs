using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Compiler;

/// <summary>Long attention sequences, head by head, with each head's Kᵀ and V loaded once.</summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>
    /// Lowers the attention of one sequence longer than the grouped lowering takes head by head, software-pipelined as
    /// QKᵀ+Softmax of head h+1 before P·V of head h (on designs with four scratchpad banks and the output-stationary
    /// dataflow; the GEMM lowering of <c>GraphCompiler</c> otherwise, and for shorter sequences, where a head's Kᵀ load
    /// is not hidden behind enough computes):
    /// <list type="bullet">
    /// <item>QKᵀ runs output-stationary, one compute per key block over all of the head dimension (k = HeadDim steps), for
    /// tiles of ROWS queries. The weight-stationary GEMM lowering needs tall query tiles to hide its preloads (a compute
    /// costs at least the switch flag's trip through the array plus a preload, 47 cycles on 16×16), but two score buffers of
    /// whole rows of 512 keys leave room for 17 queries; output-stationary computes cost their k steps at any height, and
    /// with no accumulate reads they never delay the normalize's reads of the other score buffer.</item>
    /// <item>A head's Kᵀ is loaded once (transposed, into one of two slots of the B bank of scratchpad half 0) instead of
    /// once per query tile; Qᵀ of each tile (transposed, A bank of half 0) alternates between two slots.</item>
    /// <item>P·V runs weight-stationary in tiles of up to 64 queries (P in two slots of the A bank of half 1, V of the head
    /// loaded once into the B bank of half 1, with the second query tile of head h+1, so the load runs during the first
    /// tile's computes after P·V of head h−1 has read the slot).</item>
    /// <item>Accumulator: the two score buffers (ROWS queries × all key blocks), then the two P·V output buffers, below γ/β
    /// (the bias and GELU constant areas are reloaded by each GEMM that uses them).</item>
    /// <item>Causal: the key blocks past a query tile's last query and the all-zero chunks of P are skipped.</item>
    /// <item>Late-normalized Softmax (<see cref="AttentionSequence.Late"/>, at any length): normalize softmax_late writes u
    /// and each row's P·V multiplier into row-scale slot (h mod 2)·Seq + query (config_post row_scale_base per instruction),
    /// and the P·V outputs are stored with store func requant_row from the same slots; the slots of head h are rewritten
    /// only by head h+2, whose normalizes come after head h's stores on the store queue.</item>
    /// </list>
    /// Against the GEMM lowering, bert-base at 512 tokens measured 89.7 → 96.0 % (QKᵀ+Softmax 40.5 → 99.7 %), and every
    /// preset at its default length is as fast or faster (docs/performance.md). Returns false, emitting nothing, for
    /// sequences of at most 64 tokens, without four scratchpad banks or the output-stationary dataflow, or when Kᵀ or V of
    /// a head does not fit a bank or the accumulator cannot hold the buffers.
    /// </summary>
    public bool AttentionHeads(AttentionSequence s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var n = s.Seq;
        if (KernelGeometry.AttentionHeads(d, plan, n, s.HeadDim, s.Late) is not { } g)
        {
            return false;
        }

        var dh = s.HeadDim;
        var (cd, cs, bd) = (g.DimChunks, g.KeyChunks, g.DimBlocks);
        var pvRequant = s.Late ? IntLateSoftmax.PvRequantization(s.RequantO) : s.RequantO;
        long RowScaleBase(int head, int m0) => ((head % 2) * n) + m0;

        var kBase = plan.BankedB(0).Base;
        var vBase = plan.BankedB(1).Base;
        var (qBase, pBase) = (plan.BankedA(0), plan.BankedA(1));
        var (kRows, kSlots, tm, scoreRows, tp) = (g.KRows, g.KSlots, g.Tm, g.ScoreRows, g.Tp);
        int ScoreBuffer(int slot) => slot * scoreRows;
        int OutBuffer(int slot) => (2 * scoreRows) + (slot * tp * bd);
        var (qTiles, pTiles) = (g.QkTiles, g.PvTiles);
        var pPhase = 0;
        var vLoaded = new bool[s.Heads];
        string Name(int head, string op) => s.Name + "head" + head.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + op;

        void VLoads(Phase ph, int head)
        {
            vLoaded[head] = true;
            for (var j = 0; j < bd; j++)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, n, Math.Min(d.Cols, dh - (j * d.Cols)), vBase + (j * n), s.V.Address(0, (head * dh) + (j * d.Cols)),
                    s.V.Tensor.StrideBytes));
            }
        }

        void Scores(int head)
        {
            Op(Name(head, "qk_softmax"), Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
            var kb = kBase + ((head % kSlots) * kRows);
            for (var t = 0; t < qTiles; t++)
            {
                var (m0, slot) = (t * tm, (qTiles - 1 - t) % 2);
                var mt = Math.Min(tm, n - m0);
                var (qs, sb) = (qBase + (slot * ((dh + d.SpRowBytes - 1) / d.SpRowBytes) * d.SpRowBytes), ScoreBuffer(slot));
                var ph = new Phase();
                // Qᵀ of the tile: one scratchpad row per head dimension (the output-stationary A), in pieces of a row.
                for (var p = 0; p * d.SpRowBytes < dh; p++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, mt, Math.Min(d.SpRowBytes, dh - (p * d.SpRowBytes)), qs + (p * d.SpRowBytes),
                        s.Q.Address(m0, (head * dh) + (p * d.SpRowBytes)), s.Q.Tensor.StrideBytes));
                }

                if (t == 0)
                {
                    KeysTransposed(ph, s, head, kb);
                }

                if (head >= 1 && !vLoaded[head - 1] && (t == 1 || qTiles == 1))
                {
                    VLoads(ph, head - 1);
                }

                // Output-stationary: one compute per key block runs all of the head dimension (k = dh steps), so no
                // accumulate reads compete with the normalize's reads and no preload waits.
                // Causal: key blocks past the tile's last query are masked for all its rows, so they are not computed; the
                // normalize spans only the columns the P·V tile of its last row reads (PvColumns): its masked lanes,
                // whatever the buffer holds, take no part and write P's zeros, and the columns past them stay as the
                // image holds them (zero), never read.
                var blocks = g.QkBlocks(m0, mt, s.Causal);
                for (var j = 0; j < blocks; j++)
                {
                    ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, ComputeMode.Overwrite, mt, dh, qs, kb + (j * cd * d.Rows), sb + (j * mt)));
                }

                if (t == 0)
                {
                    ph.Stores.AddRange(PostConfig.Softmax(s.Softmax));
                    if (s.Late)
                    {
                        ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxPvMult, pvRequant.Multiplier));
                    }
                }

                if (s.Late)
                {
                    ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.RowScaleBase, RowScaleBase(head, m0)));
                }

                ph.Stores.Add(PendingInstruction.Normalize(s.Late ? NormalizeFunc.SoftmaxLate : NormalizeFunc.Softmax, mt, g.NormalizeWidth(m0, mt, s.Causal), sb, s.P.Address + (((long)(head * n) + m0) * s.P.StrideBytes), s.P.StrideBytes,
                    s.Causal, s.Causal ? m0 : 0));
                Add(ph);
            }
        }

        void Outputs(int head)
        {
            Op(Name(head, "pv"), Layers.LayerSpec.AttentionMacs(n, dh, s.Causal));
            for (var t = 0; t < pTiles; t++)
            {
                var (m0, slot) = (t * tp, pPhase++ % 2);
                var mt = Math.Min(tp, n - m0);
                var (ps, ob) = (pBase + (slot * tp * cs), OutBuffer(slot));
                var ph = new Phase();
                // Causal: P is zero past the tile's last query, so those chunks are neither loaded nor multiplied.
                var chunks = g.PvChunks(t, s.Causal);
                for (var c = 0; c < chunks; c++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, mt, Math.Min(d.Rows, n - (c * d.Rows)), ps + (c * tp),
                        s.P.Address + (((long)(head * n) + m0) * s.P.StrideBytes) + (c * d.Rows), s.P.StrideBytes));
                }

                if (!vLoaded[head])
                {
                    VLoads(ph, head);
                }

                for (var c = 0; c < chunks; c++)
                {
                    for (var j = 0; j < bd; j++)
                    {
                        ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, c == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, mt, Math.Min(d.Rows, n - (c * d.Rows)),
                            ps + (c * tp), vBase + (j * n) + (c * d.Rows), ob + (j * mt)));
                    }
                }

                if (s.Late)
                {
                    // requant_row: the multiplier comes from each row's slot, the shift and ReLU from config_store.
                    ph.Stores.Add(PendingInstruction.ConfigStore(pvRequant with { Shift = pvRequant.Shift + IntLateSoftmax.RowShift }));
                    ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.RowScaleBase, RowScaleBase(head, m0)));
                }
                else
                {
                    ph.Stores.Add(PendingInstruction.ConfigStore(s.RequantO));
                }

                for (var j = 0; j < bd; j++)
                {
                    ph.Stores.Add(PendingInstruction.Store(s.Late ? StoreFunc.RequantizeRow : StoreFunc.Requantize, mt, Math.Min(d.Cols, dh - (j * d.Cols)), ob + (j * mt), s.O.Address(m0, (head * dh) + (j * d.Cols)),
                        s.O.Tensor.StrideBytes));
                }

                Add(ph);
            }
        }

        Scores(0);
        for (var head = 0; head < s.Heads; head++)
        {
            if (head + 1 < s.Heads)
            {
                Scores(head + 1);
            }

            Outputs(head);
        }

        return true;
    }
}
