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
    /// output-stationary dataflow or four scratchpad banks, M exceeds ROWS, or K rows of A or B do not fit a bank. With
    /// <paramref name="aLoaded"/> the previous operation was a streamed GEMM of the same A (a decode step's Q, K and V
    /// projections of one LayerNorm output), whose Aᵀ still lies in the A bank: it is not loaded again.
    /// </summary>
    public bool StreamedGemm(Operand a, Operand bOp, int m, int n, int k, Programs.TensorRegion? bias, GemmEpilogue epilogue, Operand c,
        Requantization? requant, IntGeluConstants? gelu, (int Lo, int Hi)? window = null, Programs.TensorRegion? geluColumns = null,
        Programs.TensorRegion? requantColumns = null, bool aLoaded = false)
    {
        var columns = new ColumnConstants(null, geluColumns) { Requant = requantColumns };
        var blocks = (n + d.Cols - 1) / d.Cols;
        var (lo, hi) = window ?? (0, plan.BufferTop);
        if (!d.SupportOs || !plan.Banked || m > d.Rows || epilogue is not (GemmEpilogue.Requantize or GemmEpilogue.Gelu) || a.Wide
            || k > plan.BankRows || k > plan.BankedB(0).Size || k > plan.BankedB(1).Size || d.SpRowBytes < d.Rows)
        {
            return false;
        }

        // int4 weights blocked two column blocks wide (GraphCompiler.BlockWidth) on the paired array: a pair of blocks in K
        // packed scratchpad rows, whole pairs a phase.
        var pairs = GemmKernel.Paired(d, bOp, m);
        int PerPhase(int blocksPerK) => Math.Min(blocks, Math.Min(blocksPerK * (plan.BankedB(1).Size / k), Math.Min(plan.BiasCap, (hi - lo) / (2 * m))));
        var perPhase = PerPhase(pairs ? 2 : 1);
        if (pairs && perPhase < blocks)
        {
            perPhase -= perPhase % 2;
            (pairs, perPhase) = perPhase > 0 ? (true, perPhase) : (false, PerPhase(1));
        }

        if (perPhase < 1)
        {
            return false;
        }

        var t = new GemmTiling(Dataflow.Os, m, perPhase, k);
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var h = s.Index % 2;
            var accBase = lo + ((s.Tile % 2) * perPhase * m);
            var at = new GemmBuffers(plan.BankedA(0), plan.BankedB(h).Base, k, accBase, m);
            var ph = new Phase();
            if (bias is not null)
            {
                ph.Loads.Add(PendingInstruction.Load(Generator.Isa.LoadTarget.Accumulator, s.Blocks, d.Cols, plan.BiasRow(h), bias.Address + (s.G0 * bias.StrideBytes),
                    bias.StrideBytes));
            }

            GemmKernel.OsBlocks(d, ph, s, bOp, n, at, bias is null ? null : plan.BiasRow(h), pairs: pairs);
            var columnRow = plan.GeluColumns ? plan.GeluColumnsRow(h) : 0;
            ColumnLoads(ph, s, columns, columnRow);
            if (s.Index == 0 && !aLoaded)
            {
                // Aᵀ after the first weight block: Aᵀ waits for the stores that wrote A and the load unit is in order, so the
                // first block (which waits for nothing) loads while the previous operation still runs.
                var aT = new Phase();
                GemmKernel.TransposedA(d, aT, s, a, at);
                var first = ph.Loads.FindIndex(l => l.View.Target == Generator.Isa.LoadTarget.Scratchpad);
                ph.Loads.InsertRange(first + 1, aT.Loads);
            }

            Epilogues(ph, epilogue, c, s, n, accBase, requant, null, false, gelu, null, 0, columns: columns with { GeluRow = columnRow });
            Add(ph);
        }

        return true;
    }

    /// <summary>
    /// P = Softmax(Q·Kᵀ) for at most ROWS query rows against n cached keys (a decode step's attention scores), on the
    /// output-stationary dataflow: Qᵀ (k = HeadDim scratchpad rows) is loaded once, each block of COLS keys comes through
    /// the transposed load as k rows and is consumed in one k-step compute, one 16-byte key row a cycle, so the keys stream
    /// at the AXI bandwidth (the weight-stationary mapping would preload a tile for every COLS keys of one query row).
    /// Everything lies in the upper scratchpad half (A bank, and the B bank split in two areas that alternate between
    /// phases) and the scores of every block in <paramref name="window"/>, block-major, for the Softmax pass. Returns false
    /// (the caller keeps the weight-stationary mapping) when the design lacks the dataflow or four banks, or the rows do
    /// not fit.
    /// </summary>
    public bool StreamedScores(Operand q, Operand keys, int m, int n, int k, Operand p, IntSoftmaxConstants softmax, bool causal, int maskOffset,
        (int Lo, int Hi) window)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var area = plan.BankedB(1).Size / 2;
        if (!d.SupportOs || !plan.Banked || !d.TransposedLoad || m > d.Rows || q.Wide || k > plan.BankRows || k > area
            || blocks * m > window.Hi - window.Lo || d.SpRowBytes < d.Rows)
        {
            return false;
        }

        var t = new GemmTiling(Dataflow.Os, m, area / k, k);
        foreach (var s in GemmKernel.Steps(d, t, m, n, k))
        {
            var at = new GemmBuffers(plan.BankedA(1), plan.BankedB(1).Base + ((s.Index % 2) * area), k, window.Lo + (s.G0 * m), m);
            var ph = new Phase();
            if (s.Index == 0)
            {
                GemmKernel.TransposedA(d, ph, s, q, at);
            }

            GemmKernel.OsBlocks(d, ph, s, keys, n, at, transposedB: true);
            if (s.G0 + s.Blocks == blocks)
            {
                // One normalize over every block's scores (the whole row from window.Lo).
                Epilogues(ph, GemmEpilogue.Softmax, p, s, n, window.Lo, null, softmax, causal, null, null, 0, maskOffset: maskOffset);
            }

            Add(ph);
        }

        return true;
    }
}
