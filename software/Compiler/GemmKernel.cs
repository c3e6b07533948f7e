using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// One step of a tiled GEMM: reduction elements [K0, K0 + Kl) of output tile <see cref="Tile"/>, which covers rows
/// [M0, M0 + Mt) and the COLS-wide column blocks [G0, G0 + Blocks).
/// </summary>
/// <param name="Index">Position among all steps of the GEMM.</param>
/// <param name="Tile">Output tile (m-tile × n-group), numbered m-tile major.</param>
/// <param name="M0">First output row.</param>
/// <param name="Mt">Output rows.</param>
/// <param name="G0">First column block.</param>
/// <param name="Blocks">Column blocks.</param>
/// <param name="K0">First reduction element.</param>
/// <param name="Kl">Reduction elements.</param>
internal readonly record struct GemmStep(int Index, int Tile, int M0, int Mt, int G0, int Blocks, int K0, int Kl)
{
    /// <summary>True for the first step of its tile (the computes overwrite, or add the bias).</summary>
    public bool FirstK => K0 == 0;
}

/// <summary>Where one <see cref="GemmStep"/> keeps its operands (from the <see cref="MemoryPlan"/>).</summary>
/// <param name="A">First scratchpad row of A.</param>
/// <param name="B">First scratchpad row of B.</param>
/// <param name="KPitch">Scratchpad rows between B blocks (and, output-stationary, between the A subtiles of ROWS rows).</param>
/// <param name="Acc">First accumulator row of the output tile.</param>
/// <param name="AccPitch">Accumulator rows between output column blocks.</param>
internal readonly record struct GemmBuffers(int A, int B, int KPitch, int Acc, int AccPitch);

/// <summary>
/// The one GEMM kernel: walks a <see cref="GemmTiling"/> as steps (m-tile, then n-group, then k-group) and emits each
/// step's loads, computes and requantize/GELU stores. The standalone GEMM (<see cref="GemmCompiler"/>) and every GEMM of a
/// graph (<see cref="PhaseBuilder"/>) call it; they differ only in the tiling they ask <see cref="TilingSearch"/> for, the
/// buffers of the <see cref="MemoryPlan"/> they place steps in, and how they order the steps.
/// </summary>
internal static class GemmKernel
{
    /// <summary>The steps of an m×n×k GEMM under <paramref name="t"/>.</summary>
    public static IEnumerable<GemmStep> Steps(DesignModel d, GemmTiling t, int m, int n, int k)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var (index, tile) = (0, 0);
        for (var m0 = 0; m0 < m; m0 += t.TileM)
        {
            for (var g0 = 0; g0 < blocks; g0 += t.BlocksN, tile++)
            {
                for (var k0 = 0; k0 < k; k0 += t.ChunkK)
                {
                    yield return new GemmStep(index++, tile, m0, Math.Min(t.TileM, m - m0), g0, Math.Min(t.BlocksN, blocks - g0), k0, Math.Min(t.ChunkK, k - k0));
                }
            }
        }
    }

    /// <summary>
    /// Weight-stationary step: A in ROWS-deep chunks (chunk c at A + c·Mt), each B block (transposed B: per chunk) at
    /// B + j·KPitch, the bias blocks at <paramref name="biasRow"/> on the first step, and one compute per block and chunk.
    /// </summary>
    public static void Ws(DesignModel d, Phase ph, GemmStep s, Operand a, Operand b, bool transposedB, int n, GemmBuffers at,
        TensorRegion? bias = null, int biasRow = 0)
    {
        if (transposedB)
        {
            CheckTransposedBlocks(d, s, b);
        }

        var chunks = (s.Kl + d.Rows - 1) / d.Rows;
        int Kc(int ci) => Math.Min(d.Rows, s.Kl - (ci * d.Rows));
        for (var ci = 0; ci < chunks; ci++)
        {
            foreach (var (row, rows, address) in a.Loads(s.M0, s.Mt, s.K0 + (ci * d.Rows)))
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, rows, Kc(ci), at.A + (ci * s.Mt) + row, address, a.Tensor.StrideBytes, a.Wide));
            }
        }

        foreach (var (j, n0, nc) in Blocks(d, s, n))
        {
            if (!transposedB)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, s.Kl, nc, at.B + (j * at.KPitch), b.Address(s.K0, n0), b.Tensor.StrideBytes, int4: b.Int4));
                continue;
            }

            for (var ci = 0; ci < chunks; ci++)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, nc, Kc(ci), at.B + (j * at.KPitch) + (ci * d.Rows),
                    b.Address(n0, s.K0 + (ci * d.Rows)), b.Tensor.StrideBytes, int4: b.Int4));
            }
        }

        if (bias is not null && s.FirstK)
        {
            ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, s.Blocks, d.Cols, biasRow, bias.Address + (s.G0 * bias.StrideBytes), bias.StrideBytes));
        }

        for (var j = 0; j < s.Blocks; j++)
        {
            for (var ci = 0; ci < chunks; ci++)
            {
                var mode = s.FirstK && ci == 0 ? (bias is null ? ComputeMode.Overwrite : ComputeMode.Bias) : ComputeMode.Accumulate;
                ph.Computes.Add(PendingInstruction.Compute(Dataflow.Ws, mode, s.Mt, Kc(ci), at.A + (ci * s.Mt), at.B + (j * at.KPitch) + (ci * d.Rows),
                    at.Acc + (j * at.AccPitch), mode == ComputeMode.Bias ? biasRow + j : 0));
            }
        }
    }

    /// <summary>Output-stationary step: <see cref="TransposedA"/>, then <see cref="OsBlocks"/>.</summary>
    public static void Os(DesignModel d, Phase ph, GemmStep s, Operand a, Operand b, int n, GemmBuffers at)
    {
        TransposedA(d, ph, s, a, at);
        OsBlocks(d, ph, s, b, n, at);
    }

    /// <summary>
    /// The A of an output-stationary step: each ROWS-row subtile transposed (one scratchpad row per reduction element,
    /// loaded in pieces of a scratchpad row) at A + sub·KPitch.
    /// </summary>
    public static void TransposedA(DesignModel d, Phase ph, GemmStep s, Operand a, GemmBuffers at)
    {
        if (a.Segments is not null)
        {
            // A transposed load writes rows into scratchpad columns from column 0: a run cannot start mid-tile.
            throw new ArgumentException($"design '{d.Name}': a gathered A operand ({a.Tensor.Name}) needs the weight-stationary mapping");
        }

        for (var sub = 0; sub * d.Rows < s.Mt; sub++)
        {
            for (var p = 0; p * d.SpRowBytes < s.Kl; p++)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, Math.Min(d.Rows, s.Mt - (sub * d.Rows)), Math.Min(d.SpRowBytes, s.Kl - (p * d.SpRowBytes)),
                    at.A + (sub * at.KPitch) + (p * d.SpRowBytes), a.Address(s.M0 + (sub * d.Rows), s.K0 + (p * d.SpRowBytes)), a.Tensor.StrideBytes, a.Wide));
            }
        }
    }

    /// <summary>
    /// The B blocks of an output-stationary step (block j at B + j·KPitch) and one compute per block and A subtile; with
    /// <paramref name="biasRow"/> (the bias of the step's first block) the first step's computes start from the bias; with
    /// <paramref name="transposedB"/> B is read from its transpose in DRAM through the transposed load. With
    /// <paramref name="pairs"/> (int4 B blocked two column blocks wide, s.G0 even, the step's rows at most ROWS/2) blocks j and
    /// j + 1 are one packed load (K rows of COLS bytes, no unpacking, at B + (j/2)·KPitch) and one <c>compute int4_pairs</c>, which writes block j + 1
    /// AccPitch rows after block j; a last odd block is unpacked and computed alone.
    /// </summary>
    public static void OsBlocks(DesignModel d, Phase ph, GemmStep s, Operand b, int n, GemmBuffers at, int? biasRow = null, bool transposedB = false,
        bool pairs = false)
    {
        var mode = s.FirstK ? (biasRow is null ? ComputeMode.Overwrite : ComputeMode.Bias) : ComputeMode.Accumulate;
        if (pairs)
        {
            for (var j = 0; j < s.Blocks; j += 2)
            {
                var alone = j + 1 == s.Blocks;
                ph.Loads.Add(PairLoad(d, b, s.K0, s.Kl, (s.G0 + j) * d.Cols, n, at.B + (j / 2 * at.KPitch), alone));
                ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, mode, s.Mt, s.Kl, at.A, at.B + (j / 2 * at.KPitch), at.Acc + (j * at.AccPitch),
                    mode == ComputeMode.Bias ? biasRow!.Value + j : 0, int4Pairs: !alone));
            }

            return;
        }

        foreach (var (j, n0, nc) in Blocks(d, s, n))
        {
            if (!transposedB)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.Scratchpad, s.Kl, nc, at.B + (j * at.KPitch), b.Address(s.K0, n0), b.Tensor.StrideBytes, int4: b.Int4));
                continue;
            }

            // Bᵀ in DRAM (a key cache: row n0 + i holds column n0 + i of B): one transposed load per ROWS of k.
            CheckTransposedBlocks(d, s, b);
            for (var k0 = 0; k0 < s.Kl; k0 += d.Rows)
            {
                ph.Loads.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, nc, Math.Min(d.Rows, s.Kl - k0), at.B + (j * at.KPitch) + k0,
                    b.Address(n0, s.K0 + k0), b.Tensor.StrideBytes));
            }
        }

        for (var j = 0; j < s.Blocks; j++)
        {
            for (var sub = 0; sub * d.Rows < s.Mt; sub++)
            {
                ph.Computes.Add(PendingInstruction.Compute(Dataflow.Os, mode, Math.Min(d.Rows, s.Mt - (sub * d.Rows)), s.Kl, at.A + (sub * at.KPitch),
                    at.B + (j * at.KPitch), at.Acc + (j * at.AccPitch) + (sub * d.Rows), mode == ComputeMode.Bias ? biasRow!.Value + j : 0));
            }
        }
    }

    /// <summary>
    /// True when int4 <paramref name="b"/> is blocked two column blocks wide for the paired array (<c>array.int4_pairs</c>) and
    /// <paramref name="rows"/> fit half its PE rows: its computes can take blocks j and j + 1 in one <c>compute int4_pairs</c>.
    /// </summary>
    public static bool Paired(DesignModel d, Operand b, int rows) =>
        b.Int4 && d.Int4Pairs && b.BlockRows > 0 && b.Tensor.Cols == 2 * d.Cols && rows <= PairRows(d);

    /// <summary>The most rows a <c>compute int4_pairs</c> takes: half the array's PE rows.</summary>
    public static int PairRows(DesignModel d) => d.Rows / 2;

    /// <summary>
    /// The B rows k0.. (<paramref name="kRows"/> of them) of the column block at <paramref name="n0"/> (even) and the next of a
    /// <see cref="Paired"/> operand: COLS packed bytes a row, loaded as they are; <paramref name="alone"/> (a last odd block):
    /// that block's nibbles only, unpacked by the load.
    /// </summary>
    public static PendingInstruction PairLoad(DesignModel d, Operand b, int k0, int kRows, int n0, int n, int local, bool alone) => alone
        ? PendingInstruction.Load(LoadTarget.Scratchpad, kRows, Math.Min(d.Cols, n - n0), local, b.Address(k0, n0), b.Tensor.StrideBytes, int4: true)
        : PendingInstruction.Load(LoadTarget.Scratchpad, kRows, d.Cols, local, b.Address(k0, n0), b.Tensor.StrideBytes);

    /// <summary>A transposed load reads ROWS columns of each DRAM row: in a blocked tensor they must lie in one column block.</summary>
    private static void CheckTransposedBlocks(DesignModel d, GemmStep s, Operand b)
    {
        if (b.BlockRows > 0 && (s.K0 % d.Rows != 0 || b.Tensor.Cols % d.Rows != 0))
        {
            throw new ArgumentException($"design '{d.Name}': the blocked tensor {b.Tensor.Name} cannot be read transposed in chunks of {d.Rows} columns");
        }
    }

    /// <summary>
    /// The stores of a finished tile through the requantizer or the GELU unit, one per column block. With
    /// <paramref name="columnRow"/> (per-channel weight scales) the multipliers of the step's column block j are accumulator row
    /// columnRow + j: each block's stores follow a <c>config_post requant_cols</c> at its row and carry <c>col_mult</c>.
    /// </summary>
    public static void Stores(DesignModel d, List<PendingInstruction> into, StoreFunc func, GemmStep s, int n, int acc, int accPitch, Operand c, int? columnRow = null)
    {
        foreach (var (j, n0, nc) in Blocks(d, s, n))
        {
            if (columnRow is { } row)
            {
                into.Add(PostConfig.RequantColumns(row + j));
            }

            foreach (var (m0, rows) in c.Runs(s.M0, s.Mt))
            {
                into.Add(PendingInstruction.Store(func, rows, nc, acc + (j * accPitch) + (m0 - s.M0), c.Address(m0, n0), c.Tensor.StrideBytes, columnRow is not null));
            }
        }
    }

    /// <summary>The column blocks of a step: index in the tile, first column, columns.</summary>
    private static IEnumerable<(int J, int N0, int Nc)> Blocks(DesignModel d, GemmStep s, int n)
    {
        for (var j = 0; j < s.Blocks; j++)
        {
            var n0 = (s.G0 + j) * d.Cols;
            yield return (j, n0, Math.Min(d.Cols, n - n0));
        }
    }
}
