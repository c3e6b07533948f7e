using System.Globalization;
using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// How a GEMM is tiled. An output tile is <see cref="TileM"/> rows × <see cref="BlocksN"/> column
/// blocks of COLS columns; it is computed in steps of <see cref="ChunkK"/> reduction elements, each step
/// loading its A and B slices into one scratchpad buffer (<see cref="GemmKernel"/>). Weight-stationary steps
/// run one compute per ROWS-deep chunk: a streamed GEMM's steps are one chunk (≤ ROWS), a graph GEMM's a
/// multiple of ROWS.
/// </summary>
/// <param name="Dataflow">Dataflow of every compute.</param>
/// <param name="TileM">Output rows per tile (output-stationary: a multiple of ROWS unless it is all of M).</param>
/// <param name="BlocksN">COLS-wide column blocks per tile; A is reused across them.</param>
/// <param name="ChunkK">Reduction elements per step.</param>
public sealed record GemmTiling(Dataflow Dataflow, int TileM, int BlocksN, int ChunkK)
{
    /// <summary>Short text for reports, e.g. <c>ws tile_m=256 blocks_n=4 chunk_k=16</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Dataflow == Dataflow.Ws ? "ws" : "os")} tile_m={TileM} blocks_n={BlocksN} chunk_k={ChunkK}");
}
