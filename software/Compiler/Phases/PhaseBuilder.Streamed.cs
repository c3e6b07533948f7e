using HwGen.Generator.Design;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Compiler;

internal sealed partial class PhaseBuilder
{
    /// <summary>
    /// C = requantize or GELU(A·B [+ bias]) for a GEMM of at most ROWS rows (a decode step's M = 1), on the
    /// output-stationary dataflow: the weight-stationary array would preload a 16×16 weight tile (about ROWS + ROWS + COLS
    /// cycles) for every row it streams, while an output-stationary compute runs all of K for its rows in one
    /// instruction, taking one 16-byte B row a cycle: the AXI bandwidth. Aᵀ (K scratchpad rows) is loaded once into an
    /// A bank; the B column blocks (K rows each) alternate between the B banks of the two halves, as many blocks a phase as
    /// a B bank and a bias area hold; the outputs alternate between two accumulator buffers; the bias enters through
    /// compute mode bias. Returns false (the caller keeps the weight-stationary mapping) when the design lacks the
    /// output-stationary dataflow or four scratchpad banks, M exceeds ROWS, or K rows of A or B do not fit a bank.
    /// </summary>
    public bool StreamedGemm(Operand a, Operand bOp, int m, int n, int k, Programs.TensorRegion? bias, GemmEpilogue epilogue, Operand c,
        Requantization? requant, IntGeluConstants? gelu)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        if (!d.SupportOs || !plan.Banked || m > d.Rows || epilogue is not (GemmEpilogue.Requantize or GemmEpilogue.Gelu) || a.Wide
            || k > plan.BankRows || k > plan.BankedB(0).Size || k > plan.BankedB(1).Size || d.SpRowBytes < d.Rows)
        {
            return false;
        }

        var perPhase = Math.Min(blocks, Math.Min(plan.BankedB(1).Size / k, Math.Min(plan.BiasCap, plan.BufferTop / (2 * m))));
        if (perPhase < 1)
        {
            return false;
        }

        var t = new GemmTiling(Dataflow.Os, m, perPhase, k);
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var h = s.Index % 2;
            var accBase = (s.Tile % 2) * perPhase * m;
            var at = new GemmBuffers(plan.BankedA(0), plan.BankedB(h).Base, k, accBase, m);
            var ph = new Phase();
            if (s.Index == 0)
            {
                GemmKernel.TransposedA(d, ph, s, a, at);
            }

            if (bias is not null)
            {
                ph.Loads.Add(PendingInstruction.Load(Generator.Isa.LoadTarget.Accumulator, s.Blocks, d.Cols, plan.BiasRow(h), bias.Address + (s.G0 * bias.StrideBytes),
                    bias.StrideBytes));
            }

            GemmKernel.OsBlocks(d, ph, s, bOp, n, at, bias is null ? null : plan.BiasRow(h));
            Epilogues(ph, epilogue, c, s, n, accBase, requant, null, false, gelu, null, 0);
            Add(ph);
        }

        return true;
    }
}
