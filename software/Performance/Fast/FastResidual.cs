using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The output-stationary residual GEMM (<c>PhaseBuilder.ResidualGemmOs</c>: LayerNorm or residual add in its epilogue)
/// instruction by instruction on the program's <see cref="FastTimeline"/> (docs/explore.md, "The fast estimator"). Its
/// tiles are few and its instructions large, so its phases are laid out in the phase builder's program order (each
/// phase's loads spread among the previous phase's computes) and each instruction is placed on its unit
/// (<see cref="FastUnits"/>) behind what it depends on: a B block's load behind the compute that last read its slot in the
/// same scratchpad half, an Aᵀ load behind the last compute of the tile that last used its buffer, a load of an
/// activation behind the compute before it in program order, a compute behind its operands' data and, when it writes a
/// subtile's output or residual rows, behind the previous tile's normalize of that subtile, and a normalize behind the
/// drain of its subtile's last compute; in-order dispatch into bounded queues holds an instruction until its queue has
/// room. Returns the m-tiles, or 0 when the phase builder takes the weight-stationary mapping instead.
/// </summary>
internal static class FastResidual
{
    // Fewest tiles with a pair to skip: states at tiles 0, 2, 4 (at least), one pair, then the last three walked.
    private const int MinSteadyTiles = 9;

    public static int Os(WorkTally w, DesignModel d, MemoryPlan plan, int m, int n, int k, GemmEpilogue epilogue, bool residualWritten, FastTimeline tl, bool steady = true)
    {
        if (KernelGeometry.ResidualOs(d, plan, m, n, k) is not { } g)
        {
            return 0;
        }

        var (blocks, sub, subtiles, tm, xRows) = (g.Blocks, g.Sub, g.Subtiles, g.TileM, g.XRows);
        var spread = g.Banked && subtiles * (k + g.ResidualRows) <= plan.BankRows;
        var residualBase = plan.ResidualRowFor(0, subtiles * xRows, plan.BufferTop);
        var phasesPerTile = (blocks + g.PerPhase - 1) / g.PerPhase;
        var spreadA = spread && phasesPerTile > 1;
        var nc = Math.Min(d.Cols, n);
        var kc = Math.Min(d.Rows, Math.Min(d.Cols, n));
        var chunks = blocks * ((d.Cols + d.Rows - 1) / d.Rows);
        var bankRows = Math.Max(1, d.SpDepth / d.SpBanks);

        // Dependencies as resource ids: 0..subtiles-1 a subtile's output and residual rows (the previous normalize read them),
        // then two halves of B slots, two Aᵀ buffers (each with its data), the bias and the residual chunks.
        var u = new FastUnits(w, d, tl, (0, Math.Min(m, tm)));
        var rows0 = Enumerable.Range(0, subtiles).Select(i => Math.Max(tl.FreedFor(i * xRows, (i + 1) * xRows),
            tl.FreedFor(residualBase + (i * xRows), residualBase + ((i + 1) * xRows)))).ToArray();
        var freed = u.Resources(rows0);
        var slotRead = new[] { u.Resources(g.PerPhase, tl.ComputeEndBefore), u.Resources(g.PerPhase, tl.ComputeEnd) };
        var slotData = new[] { u.Resources(g.PerPhase, 0), u.Resources(g.PerPhase, 0) };
        var aRead = new[] { u.Resource(tl.ComputeEndBefore), u.Resource(tl.ComputeEndBefore) };
        var aData = new[] { u.Resource(0), u.Resource(0) };
        var bias = u.Resource(0);
        var resData = u.Resources(subtiles * chunks, 0);
        var affineData = u.Resource(0); // the normalizes' γ/β: not waited for here (they are in long before the first normalize)
        var phase = new FastPhase();
        var (fullPieces, runtPieces) = (TransposedPieces(d, tm, k), TransposedPieces(d, m % tm, k));
        List<(int Rows, int Cols)> Pieces(int mt) => mt == tm ? fullPieces : runtPieces;
        var tiles = 0;
        var phaseIndex = 0;

        void Residual(FastPhase ph, int i, int mt, bool affine)
        {
            if (affine && epilogue == GemmEpilogue.LayerNorm)
            {
                // The γ/β rows with the first tile's residual.
                ph.Load(plan.AffineRows * blocks, d.Cols, LoadTarget.Accumulator, activation: false, wait: -1, data: affineData);
            }

            for (var c = 0; c < chunks; c++)
            {
                ph.Load(mt, kc, LoadTarget.Scratchpad, activation: residualWritten, wait: -1, data: resData + (i * chunks) + c);
                ph.Ws(mt, kc, !plan.Banked, new(resData + (i * chunks) + c, freed + i), reads: -1);
            }
        }

        // Steady state: the middle tiles repeat in pairs (two Aᵀ buffers, two B halves), so once the state at the start of
        // tiles t − 4, t − 2 and t has advanced evenly, the pairs up to three tiles before the end are extrapolated
        // instead of walked (FastUnits.Extrapolate); the last tiles, which differ, are walked.
        var tileCount = (m + tm - 1) / tm;
        var states = new Dictionary<int, double[]>();
        var skipTo = -1;
        foreach (var s in GemmKernel.Steps(d, new GemmTiling(Dataflow.Os, tm, g.PerPhase, k), m, n, k))
        {
            var tile = s.M0 / tm;
            if (tile < skipTo)
            {
                continue;
            }

            if (steady && tileCount >= MinSteadyTiles && s.G0 == 0 && skipTo < 0)
            {
                states[tile] = u.State();
                var periods = (tileCount - 3 - tile) / 2;
                if (tile >= 4 && periods >= 1 && u.Extrapolate(states[tile - 4], states[tile - 2], states[tile], periods))
                {
                    skipTo = tile + (2 * periods);
                    tiles += 2 * periods;
                    phaseIndex += 2 * periods * (phasesPerTile + (spread ? 0 : 1));
                    states.Clear();
                    continue;
                }
            }

            var parts = (s.Mt + sub - 1) / sub;
            var lastPhase = s.G0 + s.Blocks == blocks;
            if (!spread && s.G0 == 0)
            {
                // The residual phase before the tile: in the A bank of the next tile's Aᵀ, or in the half of its phase.
                var h0 = phaseIndex++ % 2;
                phase = u.Next(phase);
                Residual(phase, 0, s.Mt, s.M0 == 0);
                phase.WaitAll(g.Banked ? aRead[(tile + 1) % 2] : slotRead[h0], g.Banked ? 1 : g.PerPhase);
                phase.ReadsAll(g.Banked ? -1 : slotRead[h0], g.PerPhase);
            }

            var h = phaseIndex++ % 2;
            var aBuffer = g.Banked ? tile % 2 : tile % g.ABuffers;
            phase = u.Next(phase);
            if (s.G0 == 0)
            {
                if (!spreadA || s.M0 == 0)
                {
                    foreach (var (rows, cols) in Pieces(s.Mt))
                    {
                        phase.Load(rows, cols, LoadTarget.ScratchpadTransposed, activation: true, wait: aRead[aBuffer], data: aData[aBuffer]);
                    }
                }

                if (s.M0 == 0)
                {
                    phase.Load(blocks, d.Cols, LoadTarget.Accumulator, activation: false, wait: -1, data: bias);
                }
            }

            if (spread && lastPhase)
            {
                for (var i = 0; i < parts; i++)
                {
                    Residual(phase, i, Math.Min(sub, s.Mt - (i * sub)), s.M0 == 0 && i == 0);
                }
            }

            for (var j = 0; j < s.Blocks; j++)
            {
                phase.Load(k, nc, LoadTarget.Scratchpad, activation: false, wait: slotRead[h] + j, data: slotData[h] + j);
            }

            // The next tile's Aᵀ, a share with each phase after the tile's first.
            var share = (s.G0 / g.PerPhase) - 1;
            if (spreadA && share >= 0 && s.M0 + tm < m)
            {
                var pieces = Pieces(Math.Min(tm, m - s.M0 - tm));
                var next = (tile + 1) % 2;
                for (var i = pieces.Count * share / (phasesPerTile - 1); i < pieces.Count * (share + 1) / (phasesPerTile - 1); i++)
                {
                    phase.Load(pieces[i].Rows, pieces[i].Cols, LoadTarget.ScratchpadTransposed, activation: true, wait: aRead[next], data: aData[next]);
                }
            }

            var aHere = spreadA && s.M0 > 0 ? aData[tile % 2] : aData[aBuffer];
            for (var i = 0; i < parts; i++)
            {
                var rows = Math.Min(sub, s.Mt - (i * sub));
                var aRow = g.Banked ? plan.BankedA(tile % 2) + (i * k) : plan.IdentityRow - (((tile % g.ABuffers) + 1) * k);
                for (var j = 0; j < s.Blocks; j++)
                {
                    var bRow = g.Banked ? plan.BankedB(h).Base + (j * k) : (h * g.Half) + (j * k);
                    phase.Os(rows, k, !g.Banked && aRow / bankRows == bRow / bankRows, new(slotData[h] + j, aHere, bias, freed + i), reads: slotRead[h] + j);
                }

                if (lastPhase)
                {
                    var shared = MemoryPlan.SharedBankFraction(d, i * xRows, residualBase + (i * xRows), (long)blocks * rows);
                    phase.Epilogue(epilogue, rows, n, blocks, shared, frees: freed + i, amongComputes: i + 1 < parts);
                }
            }

            if (lastPhase)
            {
                phase.ReadsAll(aRead[aBuffer], 1);
                tiles++;
            }
        }

        u.Finish(phase);
        tl.LastRows = ((m - 1) / tm * tm, m);
        for (var i = 0; i < subtiles; i++)
        {
            tl.Free(i * xRows, (i + 1) * xRows, u.Time(freed + i));
            tl.Free(residualBase + (i * xRows), residualBase + ((i + 1) * xRows), u.Time(freed + i));
        }

        var last = u.LastEpilogue.Frees - freed;
        if (u.LastEpilogue is { S: > 0 } e && last >= 0 && last < subtiles)
        {
            tl.LastEpilogue(e.Start, e.S, u.Time(e.Frees) - e.Start - e.S, u.LastShare, (last * xRows, (last + 1) * xRows),
                (residualBase + (last * xRows), residualBase + ((last + 1) * xRows)));
        }

        return tiles;
    }

    // GemmKernel.TransposedA: each ROWS-row subtile in pieces of a scratchpad row (rows, columns of each load).
    private static List<(int Rows, int Cols)> TransposedPieces(DesignModel d, int mt, int k)
    {
        var list = new List<(int, int)>();
        for (var s = 0; s * d.Rows < mt; s++)
        {
            for (var p = 0; p * d.SpRowBytes < k; p++)
            {
                list.Add((Math.Min(d.Rows, mt - (s * d.Rows)), Math.Min(d.SpRowBytes, k - (p * d.SpRowBytes))));
            }
        }

        return list;
    }
}
