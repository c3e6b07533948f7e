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
    /// <paramref name="window"/> is the range of accumulator rows its output buffers may use (default: all of them).
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
            GemmKernel.Ws(d, ph, s, a, bOp, transposedB, n, new GemmBuffers(aBase, plan.Banked ? plan.BankedB(half).Base : aBase + aArea,
                (t.ChunkK + d.Rows - 1) / d.Rows * d.Rows, accBase, s.Mt), bias, plan.BiasRow(half));
            if (s.K0 + s.Kl == k)
            {
                Epilogues(ph, epilogue, c, s, n, accBase, requant, softmax, causal, gelu, norm, residualRow, add);
            }

            Add(ph);
        }
    }

    /// <summary>
    /// A GEMM that has all of local memory (the standalone GEMM): the tiling <paramref name="t"/> of
    /// <see cref="TilingSearch.Choose"/>, one phase per step in the streamed buffers of the <see cref="MemoryPlan"/> (steps
    /// alternate between two scratchpad buffers, tiles between two accumulator buffers), each tile's last step followed by
    /// its stores through <paramref name="func"/>.
    /// </summary>
    public void Gemm(Operand a, Operand bOp, int m, int n, int k, GemmTiling t, StoreFunc func, Operand c)
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
                GemmKernel.Stores(d, ph.Stores, func, s, n, at.Acc, at.AccPitch, c);
            }

            Add(ph);
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
        var t = new GemmTiling(Dataflow.Os, tm, perPhase, k);
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var tile = s.M0 / tm;
            var aT = banked ? plan.BankedA(tile % 2) : plan.IdentityRow - (((tile % aBuffers) + 1) * k);
            if (s.G0 == 0)
            {
                // plan.Banked, the residual tile goes where the previous tile's Aᵀ was: it is loaded once that tile's computes
                // are done, while this tile's Aᵀ loads into the other A bank.
                ResidualPhase(residual, s.M0 == 0 ? affine : null, s.M0, s.Mt, n, blocks, residualRow, banked ? plan.BankedA((tile + 1) % 2) : (phases.Count % 2) * half);
            }

            // Aᵀ stays for the tile's other column groups; the bias of every block is loaded once.
            var h = phases.Count % 2;
            var at = new GemmBuffers(aT, banked ? plan.BankedB(h).Base : h * half, k, s.G0 * s.Mt, s.Mt);
            var ph = new Phase();
            if (s.G0 == 0)
            {
                GemmKernel.TransposedA(d, ph, s, a, at);
                if (s.M0 == 0)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, blocks, d.Cols, plan.BiasRow(0), bias.Address, bias.StrideBytes));
                }
            }

            GemmKernel.OsBlocks(d, ph, s, bOp, n, at, plan.BiasRow(0) + s.G0);
            if (s.G0 + s.Blocks == blocks)
            {
                Epilogues(ph, epilogue, c, s, n, 0, null, null, false, null, norm, residualRow, add);
            }

            Add(ph);
        }

        return true;
    }

    private void Epilogues(Phase ph, GemmEpilogue epilogue, Operand c, GemmStep s, int n, int accBase,
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

                GemmKernel.Stores(d, ph.Stores, epilogue == GemmEpilogue.Gelu ? StoreFunc.Gelu : StoreFunc.Requantize, s, n, accBase, s.Mt, c);

                break;
            case GemmEpilogue.Softmax:
                ph.Stores.AddRange(PostConfig.Softmax(softmax!));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Softmax, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes, causal, causal ? s.M0 : 0));
                break;
            case GemmEpilogue.ResidualAdd:
                ph.Stores.AddRange(PostConfig.ResidualAdd(add!));
                ph.Stores.Add(PostConfig.ResidualRow(residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.Add, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes));
                break;
            default:
                ph.Stores.AddRange(PostConfig.LayerNorm(norm!, plan.GammaBetaRow));
                ph.Stores.Add(PostConfig.ResidualRow(residualRow < 0 ? null : residualRow));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.LayerNorm, s.Mt, n, accBase, c.Address(s.M0, 0), c.Tensor.StrideBytes));
                break;
        }
    }
}
