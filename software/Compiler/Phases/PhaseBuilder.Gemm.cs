using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>The GEMM kernels of the phase builder: weight-stationary phases and the output-stationary residual GEMM, with their epilogues.</summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>
    /// C = epilogue(A·B [+ bias]) as phases of (m-tile × n-group × k-group): the tiling of <see cref="TilingSearch.Phased"/>,
    /// walked and emitted by <see cref="GemmKernel"/> in the scratchpad halves of the <see cref="MemoryPlan"/>.
    /// <paramref name="window"/> is the range of accumulator rows its output buffers may use (default: all of them);
    /// <paramref name="maskOffset"/> shifts a causal Softmax's mask (row i sees keys 0..maskOffset + i: a k-token decode step).
    /// </summary>
    public void Gemm(Operand a, Operand bOp, bool transposedB, int m, int n, int k, TensorRegion? bias, GemmEpilogue epilogue, Operand c,
        Requantization? requant = null, IntSoftmaxConstants? softmax = null, bool causal = false, IntGeluConstants? gelu = null,
        IntLayerNormConstants? norm = null, Operand? residual = null, TensorRegion? affine = null, (int Lo, int Hi)? window = null,
        IntResidualAddConstants? add = null, (int InShift, int ResidualShift)? normColumns = null, TensorRegion? geluColumns = null, int maskOffset = 0,
        TensorRegion? requantColumns = null)
    {
        var withResidual = epilogue is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd;
        var columns = new ColumnConstants(normColumns, geluColumns) { Requant = requantColumns };
        if (withResidual && d.SupportOs && ResidualGemmOs(a, bOp, m, n, k, bias!, epilogue, c, norm, add, residual!, affine, columns))
        {
            return;
        }

        var (lo, hi) = window ?? (0, plan.BufferTop);
        var allBlocks = (n + d.Cols - 1) / d.Cols;
        var (t, buffers, rowsPerM) = TilingSearch.Phased(d, plan, m, n, k, epilogue, hi - lo, bias is not null);
        var aArea = t.TileM * ((t.ChunkK + d.Rows - 1) / d.Rows);
        var residualRow = 0;
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var accBase = lo + ((s.Tile % buffers) * t.TileM * rowsPerM);
            if (withResidual && s.FirstK)
            {
                residualRow = buffers == 1 ? plan.ResidualRowFor(accBase, allBlocks * t.TileM, hi) : accBase + (allBlocks * t.TileM);
                ResidualPhase(residual!, s.M0 == 0 ? affine : null, s.M0, s.Mt, n, allBlocks, residualRow);
            }

            // Phases alternate between the scratchpad halves: A at the bottom of a half and B above it, or A and B in their
            // own banks of the half.
            var half = phases.Count % 2;
            var aBase = plan.Banked ? plan.BankedA(half) : half * plan.SpHalf;
            var ph = new Phase();
            groupBias = bias is not null && s.FirstK ? TakeBiasArea() : groupBias;
            GemmKernel.Ws(d, ph, s, a, bOp, transposedB, n, new GemmBuffers(aBase, plan.Banked ? plan.BankedB(half).Base : aBase + aArea,
                (t.ChunkK + d.Rows - 1) / d.Rows * d.Rows, accBase, s.Mt), bias, plan.BiasRow(groupBias));
            if (s.K0 + s.Kl == k)
            {
                // The two constants areas alternate by column group (an epilogue), not by phase: with several k-groups a
                // group's last phase would always take the same half, and the next group's constants load would wait for
                // this group's stores, holding up the load queue behind them.
                var geluRow = plan.GeluColumns ? plan.GeluColumnsRow(columnSlot++ % 2) : 0;
                ColumnLoads(ph, s, columns, geluRow);
                Epilogues(ph, epilogue, c, s, n, accBase, requant, softmax, causal, gelu, norm, residualRow, add, columns with { GeluRow = geluRow }, maskOffset);
            }

            Add(ph);
        }
    }

    /// <summary>
    /// The bias area for the next user (a weight-stationary column group's first k-step, or a whole output-stationary
    /// residual GEMM): the two areas alternate by user, not by phase, so a GEMM's first bias load never writes the area
    /// the operation before it still computes from (the load could not be hoisted among those computes: an exposed
    /// bias, operand and weight load at the start of FFN1 after the residual GEMM of LayerNorm 1, 1.5 k cycles on
    /// bert-tiny).
    /// </summary>
    private int TakeBiasArea()
    {
        var area = biasArea;
        biasArea ^= 1;
        return area;
    }

    /// <summary>
    /// The per-column constants of a step's column group into the plan's column-constants area at <paramref name="row"/>: two
    /// rows of GELU constants per block (block b at rows 2b, 2b + 1 of the tensor), or one row of requantization multipliers
    /// per block.
    /// </summary>
    private void ColumnLoads(Phase ph, GemmStep s, ColumnConstants columns, int row)
    {
        if (columns.Gelu is { } gc)
        {
            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, 2 * s.Blocks, d.Cols, row, gc.Address + (2L * s.G0 * gc.StrideBytes), gc.StrideBytes));
        }
        else if (columns.Requant is { } rc)
        {
            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, s.Blocks, d.Cols, row, rc.Address + (s.G0 * rc.StrideBytes), rc.StrideBytes));
        }
    }

    /// <summary>
    /// A GEMM that has all of local memory (the standalone GEMM): the tiling <paramref name="t"/> of
    /// <see cref="TilingSearch.Choose"/>, one phase per step in the streamed buffers of the <see cref="MemoryPlan"/> (steps
    /// alternate between two scratchpad buffers, tiles between two accumulator buffers), each tile's last step followed by
    /// its stores through <paramref name="func"/> (with <paramref name="columnRow"/>: per-column multipliers, block b's at
    /// accumulator row columnRow + b, see <see cref="GemmKernel.Stores"/>).
    /// </summary>
    public void Gemm(Operand a, Operand bOp, int m, int n, int k, GemmTiling t, StoreFunc func, Operand c, int? columnRow = null)
    {
        // The second accumulator buffer ends at the relay row.
        relayRowUsed = true;
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var at = new GemmBuffers(plan.ABuffer(s.Index % 2), plan.BBuffer(s.Index % 2), t.ChunkK, plan.AccBuffer(s.Tile % 2), t.TileM);
            var ph = new Phase();
            if (t.Dataflow == Dataflow.Ws)
            {
                GemmKernel.Ws(d, ph, s, a, bOp, false, n, at);
            }
            else
            {
                GemmKernel.Os(d, ph, s, a, bOp, n, at);
            }

            if (s.K0 + s.Kl == k)
            {
                GemmKernel.Stores(d, ph.Stores, func, s, n, at.Acc, at.AccPitch, c, columnRow + s.G0);
            }

            Add(ph);
        }
    }

    /// <summary>
    /// A GEMM whose output feeds LayerNorm, on the output-stationary dataflow. The accumulator holds only a few whole
    /// rows of N (output and residual), too few for the weight-stationary array to stream efficiently; output-stationary
    /// computes instead run all of K at once for ROWS rows. An m-tile is one or two subtiles of up to ROWS rows (two when
    /// the accumulator holds both with their residuals and one scratchpad bank their Aᵀ): each B block loaded serves
    /// every subtile, so two subtiles halve the weight traffic that otherwise fills the AXI bandwidth. Each subtile has
    /// its own output and residual rows and its own normalize. Per m-tile: Aᵀ is loaded transposed (one scratchpad row per
    /// k and subtile) into one of two A regions, the B column blocks (K rows each) alternate between two halves, the bias
    /// enters through compute mode bias. A phase computes subtile by subtile, so the last phase normalizes the first
    /// subtile while the array computes the second, and the next tile's first subtile waits only for the first normalize;
    /// the residual enters before the tile's last phase, once the previous tile's normalizes have read the residual rows.
    /// Returns false when the scratchpad cannot hold A and one block of B, so the caller falls back to the
    /// weight-stationary mapping.
    /// </summary>
    private bool ResidualGemmOs(Operand a, Operand bOp, int m, int n, int k, TensorRegion bias, GemmEpilogue epilogue, Operand c,
        IntLayerNormConstants? norm, IntResidualAddConstants? add, Operand residual, TensorRegion? affine, ColumnConstants columns)
    {
        // ROWS tokens per subtile, or fewer when the accumulator cannot hold them with their residual (bert-large); two
        // subtiles when the accumulator holds both outputs and both residuals, and an A bank both Aᵀ and both residuals
        // (KernelGeometry.ResidualOs).
        if (KernelGeometry.ResidualOs(d, plan, m, n, k) is not { } g)
        {
            return false;
        }

        var (blocks, sub, banked, aBuffers, half, perPhase, residualRows, subtiles) = (g.Blocks, g.Sub, g.Banked, g.ABuffers, g.Half, g.PerPhase, g.ResidualRows, g.Subtiles);
        var biasRow = plan.BiasRow(TakeBiasArea());

        // int4 weights for the paired array (a decode step's Wo and W2): blocks j and j + 1 in one compute from K packed rows, so
        // a phase holds twice the blocks, in whole pairs.
        var pairs = GemmKernel.Paired(d, bOp, sub);
        perPhase = pairs ? Math.Min(blocks, 2 * ((banked ? plan.BankedB(1).Size : half) / k)) : perPhase;

        // Spread: each A bank holds a tile's Aᵀ and above it the residual, so the next tile's Aᵀ loads spread over this
        // tile's phases after the first (with one phase a tile: the tile's own Aᵀ with it) and the residual joins its last
        // phase; otherwise Aᵀ and the residual load before the tile's first phase.
        var spread = banked && subtiles * (k + residualRows) <= plan.BankRows;
        var (xRows, tm) = (g.XRows, g.TileM);
        var residualBase = plan.ResidualRowFor(0, subtiles * xRows, plan.BufferTop);
        var t = new GemmTiling(Dataflow.Os, tm, perPhase, k);
        var phasesPerTile = (blocks + perPhase - 1) / perPhase;
        var spreadA = spread && phasesPerTile > 1;
        List<PendingInstruction> nextA = [];
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var tile = s.M0 / tm;
            var parts = Subtiles(s, sub);
            var aT = banked ? plan.BankedA(tile % 2) : plan.IdentityRow - (((tile % aBuffers) + 1) * k);
            var lastPhase = s.G0 + s.Blocks == blocks;
            var ph = new Phase();
            if (!spread && s.G0 == 0)
            {
                // The residual into the A bank the next tile's Aᵀ takes, or the scratchpad half of the phase.
                ResidualPhase(residual, s.M0 == 0 ? affine : null, s.M0, s.Mt, n, blocks, residualBase, banked ? plan.BankedA((tile + 1) % 2) : (phases.Count % 2) * half);
            }

            // Aᵀ stays for the tile's other column groups; the bias of every block is loaded once. The B halves alternate
            // step by step (the residual phases in between do not count).
            var h = spread ? s.Index % 2 : phases.Count % 2;
            var at = new GemmBuffers(aT, banked ? plan.BankedB(h).Base : h * half, k, 0, 0);
            if (s.G0 == 0)
            {
                if (!spreadA || s.M0 == 0)
                {
                    GemmKernel.TransposedA(d, ph, s, a, at);
                }

                if (spreadA && s.M0 + tm < m)
                {
                    // The next tile's Aᵀ, a share with each phase of this tile.
                    var next = new Phase();
                    var nextStep = s with { M0 = s.M0 + tm, Mt = Math.Min(tm, m - s.M0 - tm) };
                    GemmKernel.TransposedA(d, next, nextStep, a, at with { A = plan.BankedA((tile + 1) % 2) });
                    nextA = next.Loads;
                }
                else
                {
                    nextA = [];
                }

                if (s.M0 == 0)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, blocks, d.Cols, biasRow, bias.Address, bias.StrideBytes));
                }
            }

            if (spread && lastPhase)
            {
                // The residual of every subtile, above this tile's Aᵀ, with this tile's last phase.
                foreach (var (i, m0, mt) in parts)
                {
                    ResidualPhase(residual, s.M0 == 0 && i == 0 ? affine : null, m0, mt, n, blocks, residualBase + (i * xRows), aT + (subtiles * k) + (i * residualRows), ph);
                }
            }

            for (var j = 0; j < s.Blocks; j += pairs ? 2 : 1)
            {
                var n0 = (s.G0 + j) * d.Cols;
                ph.Loads.Add(pairs ? GemmKernel.PairLoad(d, bOp, 0, k, n0, n, at.B + (j / 2 * k), j + 1 == s.Blocks)
                    : PendingInstruction.Load(LoadTarget.Scratchpad, k, Math.Min(d.Cols, n - n0), at.B + (j * k), bOp.Address(0, n0), bOp.Tensor.StrideBytes, int4: bOp.Int4));
            }

            // Not with the tile's first phase: its loads would then wait for the previous tile's computes to release that bank.
            var p = (s.G0 / perPhase) - 1;
            if (p >= 0)
            {
                var (from, to) = (nextA.Count * p / (phasesPerTile - 1), nextA.Count * (p + 1) / (phasesPerTile - 1));
                ph.Loads.AddRange(nextA.Skip(from).Take(to - from));
            }

            foreach (var (i, m0, mt) in parts)
            {
                // Subtile i: block g of its output at i·xRows + g·mt.
                for (var j = 0; j < s.Blocks; j += pairs ? 2 : 1)
                {
                    ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, ComputeMode.Bias, mt, k, aT + (i * k), at.B + ((pairs ? j / 2 : j) * k), (i * xRows) + ((s.G0 + j) * mt),
                        biasRow + s.G0 + j, int4Pairs: pairs && j + 1 < s.Blocks));
                }

                if (lastPhase)
                {
                    var part = new Phase();
                    Epilogues(part, epilogue, c, s with { M0 = m0, Mt = mt, G0 = 0, Blocks = blocks }, n, i * xRows, null, null, false, null, norm, residualBase + (i * xRows), add, columns);
                    (i + 1 < parts.Count ? ph.Computes : ph.Stores).AddRange(part.Stores);
                }
            }

            Add(ph);
        }

        return true;
    }

    /// <summary>The subtiles of up to <paramref name="sub"/> rows of a step's m-tile: index, first row, rows.</summary>
    private static List<(int I, int M0, int Mt)> Subtiles(GemmStep s, int sub)
    {
        var list = new List<(int, int, int)>();
        for (var i = 0; i * sub < s.Mt; i++)
        {
            list.Add((i, s.M0 + (i * sub), Math.Min(sub, s.Mt - (i * sub))));
        }

        return list;
    }

    private void Epilogues(Phase ph, GemmEpilogue epilogue, Operand c, GemmStep s, int n, int accBase,
        Requantization? requant, IntSoftmaxConstants? softmax, bool causal, IntGeluConstants? gelu, IntLayerNormConstants? norm, int residualRow,
        IntResidualAddConstants? add = null, ColumnConstants? columns = null, int maskOffset = 0)
    {
        switch (epilogue)
        {
            case GemmEpilogue.Gelu when columns?.Gelu is not null:
                // store func=gelu_col per block, each after a config_post gelu_cols at its two constants rows.
                ph.Stores.AddRange(PostConfig.Gelu(gelu!));
                for (var j = 0; j < s.Blocks; j++)
                {
                    var n0 = (s.G0 + j) * d.Cols;
                    ph.Stores.Add(PostConfig.GeluColumns(columns.GeluRow + (2 * j)));
                    ph.Stores.Add(PendingInstruction.Store(StoreFunc.GeluColumn, s.Mt, Math.Min(d.Cols, n - n0), accBase + (j * s.Mt), c.Address(s.M0, n0), c.Tensor.StrideBytes));
                }

                break;
            case GemmEpilogue.Requantize:
            case GemmEpilogue.Gelu:
                if (epilogue == GemmEpilogue.Requantize)
                {
                    ph.Stores.Add(PendingInstruction.ConfigStore(requant!));
                }
                else
                {
                    ph.Stores.AddRange(PostConfig.Gelu(gelu!));
                }

                // Per-channel weight scales: the group's multipliers at GeluRow (ColumnLoads), one row per block.
                GemmKernel.Stores(d, ph.Stores, epilogue == GemmEpilogue.Gelu ? StoreFunc.Gelu : StoreFunc.Requantize, s, n, accBase, s.Mt, c,
                    epilogue == GemmEpilogue.Requantize && columns?.Requant is not null ? columns.GeluRow : null);

                break;
            case GemmEpilogue.Softmax:
                ph.Stores.AddRange(PostConfig.Softmax(softmax!));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Softmax, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes, causal, causal ? maskOffset + s.M0 : 0));
                break;
            case GemmEpilogue.ResidualAdd:
                ph.Stores.AddRange(PostConfig.ResidualAdd(add!));
                if (plan.AffineRows == 3)
                {
                    // Column mode (per-channel weights: m_j and A_j at the γ/β rows, which the write of ln_affine has the
                    // add read into the cache), or off for a per-tensor add of a graph that also has column-mode ones.
                    ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.LnAffine, plan.GammaBetaRow));
                    ph.Stores.AddRange(PostConfig.LayerNormColumns(columns?.Norm));
                }

                ph.Stores.Add(PostConfig.ResidualRow(residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Add, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes, wide: c.Wide));
                break;
            default:
                ph.Stores.AddRange(PostConfig.LayerNorm(norm!, plan.GammaBetaRow));
                if (plan.AffineRows == 3)
                {
                    // Column mode on, or off for a per-tensor LayerNorm of a graph that also has column-mode ones.
                    ph.Stores.AddRange(PostConfig.LayerNormColumns(columns?.Norm));
                }

                ph.Stores.Add(PostConfig.ResidualRow(residualRow < 0 ? null : residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.LayerNorm, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes, wide: c.Wide));
                break;
        }
    }

    /// <summary>
    /// The per-column constants of a GEMM's epilogue: LayerNorm's column mode, the GELU store's constants or the
    /// requantization's multipliers (<see cref="Requant"/>, store col_mult), and where a phase keeps the last two.
    /// </summary>
    private sealed record ColumnConstants((int InShift, int ResidualShift)? Norm, TensorRegion? Gelu, int GeluRow = 0)
    {
        /// <summary>The per-column requantization multipliers (one accumulator row per block), or null.</summary>
        public TensorRegion? Requant { get; init; }
    }
}
