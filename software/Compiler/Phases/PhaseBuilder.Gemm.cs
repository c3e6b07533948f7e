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
    /// C = epilogue(A·B [+ bias]) as phases of (m-tile × n-group × k-group). <paramref name="window"/> is the range of
    /// accumulator rows its output buffers may use (default: all of them).
    /// </summary>
    public void Gemm(Operand a, Operand bOp, bool transposedB, int m, int n, int k, TensorRegion? bias, GemmEpilogue epilogue, Operand c,
        Requantization? requant = null, IntSoftmaxConstants? softmax = null, bool causal = false, IntGeluConstants? gelu = null,
        IntLayerNormConstants? norm = null, Operand? residual = null, TensorRegion? affine = null, (int Lo, int Hi)? window = null,
        IntResidualAddConstants? add = null)
    {
        var withResidual = epilogue is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd;
        if (withResidual && d.SupportOs && ResidualGemmOs(a, bOp, m, n, k, bias!, epilogue, c, norm, add, residual!, affine))
        {
            return;
        }

        var (lo, hi) = window ?? (0, plan.BufferTop);
        var span = hi - lo;
        var allBlocks = (n + d.Cols - 1) / d.Cols;
        var whole = epilogue is GemmEpilogue.Softmax || withResidual;
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
            nb = Math.Max(1, Math.Min(Math.Min(allBlocks, plan.BiasCap), span / (2 * tmMax)));
            tmMax = Math.Min(tmMax, span / (2 * nb));
            rowsPerM = nb;
        }

        if (tmMax < 1 || (bias is not null && nb > plan.BiasCap))
        {
            throw new ArgumentException(TooWide(n, whole ? rowsPerM : nb, withResidual, span));
        }

        // Even m-tiles: the same number of tiles as tmMax gives, no runt at the end.
        var mTiles = (m + tmMax - 1) / tmMax;
        var tm = (m + mTiles - 1) / mTiles;

        // The k-group: as deep as one scratchpad half holds A (tm rows per ROWS-deep chunk) and nb blocks of B; with
        // banked halves, A and B each fill their own banks.
        var kg = plan.Banked
            ? Math.Min(k, Math.Min(plan.BankRows / tm, (plan.BankedB(1).Size / nb) / d.Rows) * d.Rows)
            : Math.Min(k, plan.SpHalf / (tm + (nb * d.Rows)) * d.Rows);
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
                var residualRow = buffers == 1 && withResidual ? plan.ResidualRowFor(accBase, allBlocks * tm, hi) : accBase + (allBlocks * tm);
                if (withResidual)
                {
                    ResidualPhase(residual!, m0 == 0 ? affine : null, m0, mt, n, allBlocks, residualRow);
                }

                var g0 = g * nb;
                var gBlocks = Math.Min(nb, allBlocks - g0);
                for (var kgi = 0; kgi < kGroups; kgi++)
                {
                    var half = phases.Count % 2;
                    var aBase = plan.Banked ? plan.BankedA(half) : half * plan.SpHalf;
                    var bBase = plan.Banked ? plan.BankedB(half).Base : aBase + aArea;
                    var k0 = kgi * kg;
                    var kl = Math.Min(kg, k - k0);
                    var chunks = (kl + d.Rows - 1) / d.Rows;
                    var ph = new Phase();
                    for (var ci = 0; ci < chunks; ci++)
                    {
                        var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                        ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, mt, kc, aBase + (ci * mt), a.Address(m0, k0 + (ci * d.Rows)), a.Tensor.StrideBytes));
                    }

                    for (var j = 0; j < gBlocks; j++)
                    {
                        var n0 = (g0 + j) * d.Cols;
                        var nc = Math.Min(d.Cols, n - n0);
                        if (!transposedB)
                        {
                            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, kl, nc, bBase + (j * pitch), bOp.Address(k0, n0), bOp.Tensor.StrideBytes));
                        }
                        else
                        {
                            for (var ci = 0; ci < chunks; ci++)
                            {
                                var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                                ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, nc, kc, bBase + (j * pitch) + (ci * d.Rows), bOp.Address(n0, k0 + (ci * d.Rows)), bOp.Tensor.StrideBytes));
                            }
                        }
                    }

                    if (bias is not null && kgi == 0)
                    {
                        ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, gBlocks, d.Cols, plan.BiasRow(half), bias.Address + (g0 * bias.StrideBytes), bias.StrideBytes));
                    }

                    for (var j = 0; j < gBlocks; j++)
                    {
                        for (var ci = 0; ci < chunks; ci++)
                        {
                            var kc = Math.Min(d.Rows, kl - (ci * d.Rows));
                            var mode = kgi == 0 && ci == 0 ? (bias is null ? ComputeMode.Overwrite : ComputeMode.Bias) : ComputeMode.Accumulate;
                            ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, mode, mt, kc, aBase + (ci * mt), bBase + (j * pitch) + (ci * d.Rows),
                                accBase + (j * mt), mode == ComputeMode.Bias ? plan.BiasRow(half) + j : 0));
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
    private bool ResidualGemmOs(Operand a, Operand bOp, int m, int n, int k, TensorRegion bias, GemmEpilogue epilogue, Operand c,
        IntLayerNormConstants? norm, IntResidualAddConstants? add, Operand residual, TensorRegion? affine)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;

        // ROWS tokens per m-tile, or fewer when the accumulator cannot hold them with their residual (bert-large).
        var tm = Math.Min(m, Math.Min(d.Rows, plan.BufferTop / (2 * blocks)));
        if (tm < 1 || blocks > plan.BiasCap || d.SpRowBytes < d.Rows)
        {
            return false;
        }

        // plan.Banked: Aᵀ of even/odd tiles in the A banks of halves 0/1, the B blocks of a phase in its half's B banks, so
        // port A (Aᵀ) and port B (B) never meet in one bank. Otherwise: Aᵀ at the top, two B halves below.
        var banked = plan.Banked && k <= plan.BankRows && k <= plan.BankedB(1).Size;
        var aBuffers = banked ? 2 : (plan.IdentityRow - (2 * k)) / 2 >= k ? 2 : 1;
        var half = (plan.IdentityRow - (aBuffers * k)) / 2;
        var perPhase = Math.Min(blocks, (banked ? plan.BankedB(1).Size : half) / k);
        var residualRows = blocks * ((d.Cols + d.Rows - 1) / d.Rows) * tm;
        if (perPhase < 1 || residualRows > (banked ? plan.BankRows : half))
        {
            return false;
        }

        var residualRow = plan.ResidualRowFor(0, blocks * tm, plan.BufferTop);
        var tile = 0;
        for (var m0 = 0; m0 < m; m0 += tm, tile++)
        {
            var mt = Math.Min(tm, m - m0);
            var aT = banked ? plan.BankedA(tile % 2) : plan.IdentityRow - (((tile % aBuffers) + 1) * k);

            // plan.Banked, the residual tile goes where the previous tile's Aᵀ was: it is loaded once that tile's computes are
            // done, while this tile's Aᵀ loads into the other A bank.
            ResidualPhase(residual, m0 == 0 ? affine : null, m0, mt, n, blocks, residualRow, banked ? plan.BankedA((tile + 1) % 2) : (phases.Count % 2) * half);
            for (var j0 = 0; j0 < blocks; j0 += perPhase)
            {
                var h = phases.Count % 2;
                var ph = new Phase();
                if (j0 == 0)
                {
                    for (var k0 = 0; k0 < k; k0 += d.SpRowBytes)
                    {
                        ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, mt, Math.Min(d.SpRowBytes, k - k0), aT + k0, a.Address(m0, k0), a.Tensor.StrideBytes));
                    }

                    if (m0 == 0)
                    {
                        ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, blocks, d.Cols, plan.BiasRow(0), bias.Address, bias.StrideBytes));
                    }
                }

                for (var j = j0; j < Math.Min(blocks, j0 + perPhase); j++)
                {
                    var n0 = j * d.Cols;
                    var bRow = (banked ? plan.BankedB(h).Base : h * half) + ((j - j0) * k);
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, k, Math.Min(d.Cols, n - n0), bRow, bOp.Address(0, n0), bOp.Tensor.StrideBytes));
                    ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, ComputeMode.Bias, mt, k, aT, bRow, j * mt, plan.BiasRow(0) + j));
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

    private void Epilogues(Phase ph, GemmEpilogue epilogue, Operand c, int m0, int mt, int g0, int gBlocks, int n, int accBase,
        Requantization? requant, IntSoftmaxConstants? softmax, bool causal, IntGeluConstants? gelu, IntLayerNormConstants? norm, int residualRow,
        IntResidualAddConstants? add = null)
    {
        switch (epilogue)
        {
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

                for (var j = 0; j < gBlocks; j++)
                {
                    var n0 = (g0 + j) * d.Cols;
                    ph.Stores.Add(PendingInstruction.Store(epilogue == GemmEpilogue.Gelu ? StoreFunc.Gelu : StoreFunc.Requantize, mt, Math.Min(d.Cols, n - n0),
                        accBase + (j * mt), c.Address(m0, n0), c.Tensor.StrideBytes));
                }

                break;
            case GemmEpilogue.Softmax:
                ph.Stores.AddRange(PostConfig.Softmax(softmax!));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Softmax, mt, n, accBase, c.Address(m0, 0), c.Tensor.StrideBytes, causal, causal ? m0 : 0));
                break;
            case GemmEpilogue.ResidualAdd:
                ph.Stores.AddRange(PostConfig.ResidualAdd(add!));
                ph.Stores.Add(PostConfig.ResidualRow(residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Add, mt, n, accBase, c.Address(m0, 0), c.Tensor.StrideBytes));
                break;
            default:
                ph.Stores.AddRange(PostConfig.LayerNorm(norm!, plan.GammaBetaRow));
                ph.Stores.Add(PostConfig.ResidualRow(residualRow < 0 ? null : residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.LayerNorm, mt, n, accBase, c.Address(m0, 0), c.Tensor.StrideBytes));
                break;
        }
    }

    /// <summary>The error for a row that does not fit the accumulator, with the arithmetic that shows it.</summary>
    private string TooWide(int n, int rowsPerToken, bool withResidual, int left) =>
        $"a row of {n} elements needs {rowsPerToken} accumulator rows per token{(withResidual ? " (output and residual)" : string.Empty)}, but design '{d.Name}' " +
        $"has {left} of its {d.AccDepth} accumulator rows left after γ/β ({2 * hiddenBlocks}), two bias areas ({2 * plan.BiasCap}) and the relay row (accumulator.kib or array.cols must grow)";
}
