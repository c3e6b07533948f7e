using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>The row kernels of the phase builder: a pre-LN LayerNorm and the residual entering the accumulator through the identity.</summary>
internal sealed partial class PhaseBuilder
{
    /// <summary>
    /// LayerNorm of an int8 tensor without residual (pre-LN): each m-tile enters the accumulator through the identity
    /// matmul and is normalized in place; two buffers let the next tile enter while this one is normalized.
    /// </summary>
    public void LayerNorm(Operand x, int m, int n, TensorRegion affine, IntLayerNormConstants norm, Operand c)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var chunksPerBlock = (d.Cols + d.Rows - 1) / d.Rows;
        var buffers = plan.BufferTop / (2 * blocks) >= 1 ? 2 : 1;
        var tmMax = Math.Min(64, Math.Min(plan.BufferTop / (buffers * blocks), (plan.Banked ? plan.BankRows : plan.SpHalf) / (blocks * chunksPerBlock)));
        if (tmMax < 1)
        {
            throw new ArgumentException(plan.RowTooWide(n, blocks, false, plan.BufferTop));
        }

        var tiles = (m + tmMax - 1) / tmMax;
        var tm = (m + tiles - 1) / tiles;
        var tile = 0;
        for (var m0 = 0; m0 < m; m0 += tm, tile++)
        {
            var mt = Math.Min(tm, m - m0);
            var accBase = (tile % buffers) * tm * blocks;
            var ph = ResidualPhase(x, m0 == 0 ? affine : null, m0, mt, n, blocks, accBase);
            Epilogues(ph, GemmEpilogue.LayerNorm, c, new GemmStep(0, tile, m0, mt, 0, blocks, 0, n), n, accBase, null, null, false, null, norm, -1);
        }
    }

    /// <summary>Loads γ/β (first tile only) and the residual tile, and multiplies the residual by the identity into its accumulator rows.</summary>
    private Phase ResidualPhase(Operand residual, TensorRegion? affine, int m0, int mt, int n, int blocks, int residualRow, int? aBase = null)
    {
        var ph = new Phase();
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
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, mt, kc, aRow, residual.Address(m0, col), residual.Tensor.StrideBytes));
                ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, ci == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate, mt, kc,
                    aRow, plan.IdentityRow + (ci * d.Rows), residualRow + (j * mt)));
            }
        }

        Add(ph);
        return ph;
    }
}
