using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// The row kernels of the phase builder: on int8 tensors, a pre-LN LayerNorm and the residual entering the accumulator
/// through the identity; on int32 tensors loaded straight into the accumulator (<c>load target=acc</c>, the standalone
/// row workloads of <see cref="RowOpCompiler"/>), chunks of whole rows for a row-wise unit and GELU chunks.
/// </summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>
    /// LayerNorm of an int8 tensor without residual (pre-LN): each m-tile enters the accumulator through the identity
    /// matmul and is normalized in place; two buffers let the next tile enter while this one is normalized.
    /// </summary>
    public void LayerNorm(Operand x, int m, int n, TensorRegion affine, IntLayerNormConstants norm, Operand c)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var (tm, buffers) = KernelGeometry.LayerNormTiles(d, plan, m, n);
        var tile = 0;
        for (var m0 = 0; m0 < m; m0 += tm, tile++)
        {
            var mt = Math.Min(tm, m - m0);
            var accBase = (tile % buffers) * tm * blocks;
            var ph = ResidualPhase(x, m0 == 0 ? affine : null, m0, mt, n, blocks, accBase);
            Epilogues(ph, GemmEpilogue.LayerNorm, c, new GemmStep(0, tile, m0, mt, 0, blocks, 0, n), n, accBase, null, null, false, null, norm, -1);
        }
    }

    /// <summary>
    /// Loads γ/β (first tile only) and the residual tile, and multiplies the residual by the identity into its accumulator
    /// rows. An int16 residual is loaded straight into its rows instead (<c>load elem16 target=acc</c>), with no compute:
    /// those loads go with the next phase. With <paramref name="into"/> the loads and computes join that phase instead of a
    /// phase of their own.
    /// </summary>
    private Phase ResidualPhase(Operand residual, TensorRegion? affine, int m0, int mt, int n, int blocks, int residualRow, int? aBase = null, Phase? into = null)
    {
        var ph = into ?? new Phase();
        if (residual.Wide)
        {
            if (affine is not null)
            {
                carriedLoads.Add(PendingInstruction.Load(LoadTarget.Accumulator, affine.Rows, d.Cols, plan.GammaBetaRow, affine.Address, affine.StrideBytes));
            }

            for (var j = 0; j < blocks; j++)
            {
                foreach (var (row, rows, address) in residual.Loads(m0, mt, j * d.Cols))
                {
                    carriedLoads.Add(PendingInstruction.Load(LoadTarget.Accumulator, rows, Math.Min(d.Cols, n - (j * d.Cols)), residualRow + (j * mt) + row,
                        address, residual.Tensor.StrideBytes, elem16: true));
                }
            }

            return ph;
        }

        var spBase = aBase ?? (plan.Banked ? plan.BankedA(phases.Count % 2) : (phases.Count % 2) * plan.SpHalf);
        if (affine is not null)
        {
            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, affine.Rows, d.Cols, plan.GammaBetaRow, affine.Address, affine.StrideBytes));
        }

        var chunksPerBlock = (d.Cols + d.Rows - 1) / d.Rows;
        if (blocks * chunksPerBlock * mt > (plan.Banked ? plan.BankRows : plan.SpHalf) && aBase is null)
        {
            throw new ArgumentException($"design '{d.Name}': the residual tile of {mt} rows × {n} does not fit half the scratchpad");
        }

        if (residual.Tensor.Rows == 1 && chunksPerBlock == 1 && n % d.Cols == 0 && residual.Segments is null && residual.BlockRows == 0)
        {
            // A one-row tensor (a decode step's residual stream): its blocks are consecutive bytes, so one load puts block j in
            // scratchpad row spBase + j and one compute of `blocks` rows moves them all (block j to residualRow + j), one
            // weight switch instead of one per block (47 cycles each on default).
            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, blocks, d.Cols, spBase, residual.Address(m0, 0), d.Cols));
            ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, ComputeMode.Overwrite, blocks, d.Cols, spBase, plan.IdentityRow, residualRow));
            if (into is null)
            {
                Add(ph);
            }

            return ph;
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
                foreach (var (row, rows, address) in residual.Loads(m0, mt, col))
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, rows, kc, aRow + row, address, residual.Tensor.StrideBytes));
                }

                ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, ci == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, mt, kc,
                    aRow, plan.IdentityRow + (ci * d.Rows), residualRow + (j * mt)));
            }
        }

        if (into is null)
        {
            Add(ph);
        }

        return ph;
    }

    /// <summary>
    /// Chunks of whole logical rows for a row-wise unit. Each row has one or two parts (x; x and its residual), the int32
    /// <paramref name="parts"/>. Chunk i holds up to n rows, each part block-major (block b of row r at the part's base +
    /// b·n + r), loaded by one <c>load target=acc</c> per block, and is written by the row instruction
    /// <paramref name="rowOp"/> returns (first row, rows, x's base); with a residual a ln_residual pointing at the chunk's
    /// residual base goes before it. The γ/β rows of the plan stay untouched. One phase per chunk. Layouts, the
    /// first that fits:
    /// <list type="bullet">
    /// <item>Two parts, split: x of chunk i in accumulator half i mod 2, its residual in the other half, so the two rows
    /// of a block lie in different banks and the store unit reads them in one cycle; double-buffered.</item>
    /// <item>Two halves: all parts of chunk i in half i mod 2; double-buffered.</item>
    /// <item>One buffer: the token scheduler makes chunk i+1's loads wait for chunk i's row instruction.</item>
    /// </list>
    /// </summary>
    public void RowChunks(int rows, int cols, TensorRegion[] parts, Func<int, int, long, PendingInstruction> rowOp)
    {
        var blocks = (cols + d.Cols - 1) / d.Cols;
        var p = parts.Length;
        var usable = plan.GammaBetaRow;
        var reserved = plan.Relay - usable;
        var half = plan.AccBufferRows;
        var splitSpace = (half - 1 - reserved) / 2;
        int chunkRows;
        Func<int, int, long[]> bases;
        if (p == 2 && d.AccBanks > 1 && splitSpace / blocks >= 1)
        {
            chunkRows = Math.Min(rows, splitSpace / blocks);
            bases = (i, n) => [(i % 2) * (long)half, ((i + 1) % 2 * (long)half) + splitSpace];
        }
        else if (usable / 2 / (p * blocks) >= 1)
        {
            var space = usable / 2;
            chunkRows = Math.Min(rows, space / (p * blocks));
            bases = (i, n) => Enumerable.Range(0, p).Select(k => ((i % 2) * (long)space) + ((long)k * blocks * n)).ToArray();
        }
        else if (usable / (p * blocks) >= 1)
        {
            chunkRows = Math.Min(rows, usable / (p * blocks));
            bases = (i, n) => Enumerable.Range(0, p).Select(k => (long)k * blocks * n).ToArray();
        }
        else
        {
            throw new ArgumentException($"a row of {cols} elements spans {blocks} accumulator rows{(p > 1 ? " (and its residual as many)" : "")}; design '{d.Name}' has {Math.Max(usable, 0)} free{(reserved > 0 ? $" after {reserved} for γ/β" : "")} (accumulator.kib or array.cols must grow)");
        }

        for (var r0 = 0; r0 < rows; r0 += chunkRows)
        {
            var n = Math.Min(chunkRows, rows - r0);
            var buf = bases(r0 / chunkRows, chunkRows);
            var ph = new Phase();
            for (var k = 0; k < p; k++)
            {
                for (var b = 0; b < blocks; b++)
                {
                    var c0 = b * d.Cols;
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, n, Math.Min(d.Cols, cols - c0), buf[k] + (b * n),
                        parts[k].Address + (r0 * parts[k].StrideBytes) + (4L * c0), parts[k].StrideBytes));
                }
            }

            if (p == 2)
            {
                ph.Stores.Add(PostConfig.ResidualRow(buf[1]));
            }

            ph.Stores.Add(rowOp(r0, n, buf[0]));
            Add(ph);
        }
    }

    /// <summary>
    /// GELU of an int32 tensor (<c>store func=gelu</c>). It is elementwise: a chunk, one phase, is a column group of up to
    /// half the accumulator's blocks (less the relay row) × as many rows as that half holds, alternating between the halves.
    /// With <paramref name="columnsRow"/> (the accumulator row of block 0's per-column constants, two rows per block, below
    /// the plan's reserved areas) every store is <c>store func=gelu_col</c> after a <c>config_post gelu_cols</c>.
    /// </summary>
    public void GeluChunks(int rows, int cols, TensorRegion x, TensorRegion y, int? columnsRow = null)
    {
        var half = (columnsRow is null ? plan.Relay : plan.BiasRow(1)) / 2;
        var allBlocks = (cols + d.Cols - 1) / d.Cols;
        var groupBlocks = Math.Min(allBlocks, half);
        var groups = (allBlocks + groupBlocks - 1) / groupBlocks;
        var chunkRows = Math.Max(1, Math.Min(rows, half / groupBlocks));
        var rowChunks = (rows + chunkRows - 1) / chunkRows;
        for (var i = 0; i < groups * rowChunks; i++)
        {
            var g = i / rowChunks;
            var r0 = i % rowChunks * chunkRows;
            var n = Math.Min(chunkRows, rows - r0);
            var buf = (i % 2) * half;
            var ph = new Phase();
            for (var bi = 0; bi < groupBlocks && (g * groupBlocks) + bi < allBlocks; bi++)
            {
                var c0 = ((g * groupBlocks) + bi) * d.Cols;
                var nc = Math.Min(d.Cols, cols - c0);
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, n, nc, buf + (bi * chunkRows), x.Address + (r0 * x.StrideBytes) + (4L * c0), x.StrideBytes));
                if (columnsRow is { } at)
                {
                    ph.Stores.Add(PostConfig.GeluColumns(at + (2 * ((g * groupBlocks) + bi))));
                }

                ph.Stores.Add(PendingInstruction.Store(columnsRow is null ? StoreFunc.Gelu : StoreFunc.GeluColumn, n, nc, buf + (bi * chunkRows), y.Address + (r0 * y.StrideBytes) + c0, y.StrideBytes));
            }

            Add(ph);
        }
    }
}
