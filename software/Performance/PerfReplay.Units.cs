using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance;

/// <summary>The replay's per-unit rules: how long a load, a compute and a store-unit instruction take.</summary>
internal sealed partial class PerfReplay
{
    private (long Push, long Finish) Load(InstructionView insn, long take, long tokens)
    {
        // S_IDLE -> (S_WAIT: pop) -> S_ROW (or S_MRG, merged bursts): one burst address per cycle.
        var g = insn.Tokens.HasFlag(Tokens.PopNext) ? Math.Max(take + 1, tokens) + 1 : take + 1;
        var first = g;
        var rowBytes = insn.LoadRowBytes;
        var addr = insn.DramAddr;
        long last = g;
        var merged = d.MergeBursts && LoadBursts.Mergeable(addr, insn.DramStride, insn.Rows, rowBytes, axi);
        var transposed = insn.Target == LoadTarget.ScratchpadTransposed;
        if (merged)
        {
            (g, last) = MergedLoad(insn, g, rowBytes, !transposed);
        }

        for (long r = 0; !merged && r < insn.Rows; r++, addr += insn.DramStride)
        {
            var off = addr % axi;
            var beats = ((off + rowBytes - 1) / axi) + 1;
            var aligned = addr - off;
            var split = (aligned % 4096) + (beats * axi) > 4096;
            last = Burst(ref g, beats, !transposed);
            g += split ? 2 : 1;
        }

        loadFree = g; // the cycle after the last address: S_IDLE takes the next instruction
        var push = last + 1;
        if (transposed)
        {
            // Two transpose buffers: the rows gathered while the previous block is written out, only the last row waits
            // in the write stage (and the read channel behind it) until that write-out's last column.
            var drain = Math.Max(last + 1, emissionLast);
            if (drain > last + 1)
            {
                bus.Block(last + 1, drain);
            }

            push = drain + insn.Cols;
            emissionLast = push;
            loadDataNotBefore = push + 1;
            emissionFrom = drain;
        }

        busy[0] += push - first;
        return (push, push);
    }

    // A contiguous rectangle: one descriptor for all its rows, then merged bursts, one address a cycle, at most the
    // outstanding bursts in flight; rows smaller than a beat hold the channel a row a cycle. Returns the cycle the unit
    // takes the next instruction and the last beat's cycle.
    private (long Free, long Last) MergedLoad(InstructionView insn, long g, long rowBytes, bool held)
    {
        long last = g;
        var rowsLeft = insn.Rows;
        foreach (var (_, beats) in LoadBursts.Merged(insn.DramAddr, LoadBursts.MergedBeats(insn.Rows, rowBytes, axi), axi))
        {
            var cycles = LoadBursts.BurstCycles(beats, rowsLeft, rowBytes, axi);
            rowsLeft -= rowBytes >= axi ? beats * (rowBytes / axi) : cycles;
            last = Burst(ref g, cycles, held);
            g++;
        }

        return (g, last);
    }

    // One read burst whose address goes out at g or once an outstanding slot frees (g moves there): its data arrives
    // after the latency, or waits at the head of the read channel (fetch bursts behind it wait too) until the transposed
    // block before it has been written out (rows of other targets: held; a transposed block's rows gather in the other
    // buffer), then holds the channel `beats` cycles (its beats, or its rows when they share beats). Returns the cycle of
    // its last beat.
    private long Burst(ref long g, long beats, bool held)
    {
        var ring = outstanding.Length;
        g = Math.Max(g, outstanding[burstSeq % ring] + 1);
        fetch.ReserveUpTo(g); // fetch bursts requested before this address go first
        var arrive = g + ArSlice + p.MemoryLatency;
        if (held && arrive < loadDataNotBefore)
        {
            var from = Math.Max(arrive, emissionFrom);
            if (from < loadDataNotBefore)
            {
                bus.Block(from, loadDataNotBefore);
            }

            arrive = loadDataNotBefore;
            emissionFrom = loadDataNotBefore;
        }

        var last = bus.Reserve(arrive, beats) + beats - 1;
        outstanding[burstSeq++ % ring] = last;
        fetch.LoadBurst(g, last);
        return last;
    }

    // Replays a compute; returns how long its rows stay in the pipeline after its last one is issued.
    private long Compute(InstructionView insn, long take, long tokens, out long pushPrev, out long pushNext)
    {
        var lat = ntr + ntc;
        var pValid = take + 1;
        long start, h;
        var bankRows = Math.Max(1, d.SpDepth / d.SpBanks);
        var tail = lat + 2;
        if (insn.Dataflow == Dataflow.Ws)
        {
            start = Math.Max(Math.Max(pValid, tokens), swIdleAt);
            // Port B: an OS stream's steps come first; a stream whose A rows share the bank refuses the preload.
            var pre = start;
            if (!prevWs && osStepEnd >= 0)
            {
                pre = Math.Max(pre, osStepEnd);
            }

            var b = insn.BAddr / bankRows;
            if (prevWs && prevABank == b)
            {
                pre = Math.Max(pre, sLast);
            }

            var preloaded = pre + d.Rows;
            h = Math.Max(Math.Max(preloaded, sLast), dFree); // a WS stream waits for the OS drain (write-stage order)
            execIdle += Math.Max(0, h - Math.Max(sLast, 0));
            sLast = h + insn.Rows;
            swIdleAt = h + 2 + Math.Max(0, ntr + ntc - 3);
            arrayActive += insn.Rows;
            busy[1] += sLast - Math.Min(start, h);
            RecordReads(insn, h + lat, sLast + lat);
            pushPrev = sLast + 1;
            pushNext = sLast + lat + 2;
            prevWs = true;
            prevABank = (insn.AAddr + insn.Rows - 1) / bankRows;
        }
        else
        {
            // Slot D (docs/architecture.md, "Execute unit"): the previous OS compute's sums drain behind this one's steps
            // when it starts as S frees; later, a flush step captured them and this one waits for their drain.
            start = Math.Max(Math.Max(pValid, tokens), sLast);
            if (!prevWs && start > sLast + 1)
            {
                start = Math.Max(start, dFree);
            }

            h = start;
            execIdle += Math.Max(0, h - Math.Max(sLast, 0));
            var conflict = insn.AAddr / bankRows == insn.BAddr / bankRows;
            var steps = insn.K * (conflict ? 2 : 1);
            osStepEnd = h + steps;
            sLast = Math.Max(osStepEnd, dFree);                    // the hand-off to D frees S
            dFree = sLast + 1 + Math.Max(0, lat - 2) + d.Rows;     // capture, its way through the PEs, ROWS drain rows
            arrayActive += insn.K;
            busy[1] += sLast - h;
            RecordReads(insn, dFree - d.Rows + 2, dFree + 2);
            pushPrev = osStepEnd + 1;
            pushNext = dFree + 3;
            prevWs = false;
            tail = (int)(dFree + 3 - sLast);
        }

        handoff = h;
        execDone++;
        return tail;
    }

    // hwgen_store_walker: S_IDLE takes the instruction; one that pops waits in S_WAIT for the EX->ST token and pops it
    // (S_EXEC the cycle after); S_EXEC reads one row (block) a cycle and pushes ST->EX with its last read (rd_done), and
    // S_IDLE takes the next instruction in the following cycle. The rows reach DRAM later: the write response counts
    // only for the program's end (and a config_post, which waits until every row read has left the W side).
    private (long PushPrev, long PushNext, long Finish) Store(InstructionView insn, long take, long tokens)
    {
        var start = Math.Max(take + 1, tokens);
        var readFrom = insn.Tokens.HasFlag(Tokens.PopPrev) ? start + 1 : take + 1;
        long issue, latency;
        switch (insn.Opcode)
        {
            case Opcode.Store:
            {
                var rows = insn.Rows;
                var beats = rows * Math.Max(1, CeilDiv(insn.Cols, axi));
                issue = Math.Max(beats, ((rows - 1) * d.RequantCyclesPerRow) + 1);
                issue += Refused(insn.LocalAddr, readFrom, issue, rows);
                start = readFrom;
                latency = p.MemoryLatency + p.WriteResponseExtra + 2;
                break;
            }

            case Opcode.Normalize:
            {
                // Softmax and LayerNorm: three passes of ceil(width/COLS) blocks per logical row, interleaved over
                // three rows so the per-row division (square root) overlaps other rows' passes; a row costs its
                // reads or, for short rows, the division engine's time; the last row's statistics are exposed once.
                // Add: one pass. With a residual, a block whose x and residual share a bank takes two reads.
                // LayerNorm first fills the γ/β cache (2 reads per block) when config_post ln_affine emptied it.
                var rows = insn.Rows;
                var func = insn.NormalizeFunc;
                var blocks = CeilDiv(insn.Width, d.Cols);
                var beats = blocks * Math.Max(1, CeilDiv(d.Cols * (insn.Wide ? 2 : 1), axi));
                var residual = func is NormalizeFunc.LayerNorm or NormalizeFunc.Add && lnResidual != 0;
                var softmax = func is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate;
                // softmax_late: max and output passes, then a pass-2 slot of one cycle that waits for the row's multiplier.
                var passes = func == NormalizeFunc.Add ? 1 : func == NormalizeFunc.SoftmaxLate ? 2 : 3;
                // Key-blocked (softmax_block): the max pass reads pass 0 only (slots 1 and 2 a cycle each, no division);
                // an output pass reads one phantom block in pass 0, and only the last chunk's divides.
                var block = func == NormalizeFunc.SoftmaxLate ? softmaxBlock & 3 : 0;
                var divides = softmax && block is 0 or 3;
                var engine = divides ? p.SoftmaxRowEngine : func == NormalizeFunc.LayerNorm ? p.LayerNormRowEngine : 0;
                var tail = divides ? p.SoftmaxStatsLatency : func == NormalizeFunc.LayerNorm ? p.LayerNormStatsLatency : block != 0 ? 4 : 0;
                var fill = func == NormalizeFunc.LayerNorm && gbCached * d.Cols < insn.Width ? 2 * blocks : 0;
                if (fill > 0)
                {
                    gbCached = blocks;
                }

                // Row by row: a block whose x and residual rows share a bank (block-major rows, so it varies by row)
                // reads port B the cycle after; the output pass waits for a serial requantizer.
                long rowCycles = 0, readCycles = 0, slack = 0;
                for (long r = 0; r < rows; r++)
                {
                    var pass = blocks + (residual ? SharedBankBlocks(insn.LocalAddr + r, lnResidual - 1 + r, rows, blocks) : 0);
                    var output = Math.Max(d.RequantCyclesPerRow >= 2 ? blocks * d.RequantCyclesPerRow : pass, beats);
                    var perRow = block switch
                    {
                        1 => pass + 2,
                        0 => ((passes - 1) * pass) + output + (func == NormalizeFunc.SoftmaxLate ? 1 : 0),
                        _ => 1 + output + 1,
                    };
                    rowCycles += Math.Max(perRow, engine);
                    slack = Math.Max(slack, engine - perRow);
                    readCycles += block switch { 1 => pass, 0 => ((passes - 1) * pass) + blocks, _ => blocks };
                }

                issue = rowCycles + tail + fill + p.InstructionOverhead;
                issue += Refused(insn.LocalAddr, start, issue, readCycles, slack > 0 ? (rows, rowCycles, slack) : (0, 0, 0));
                lastRowRead = start + issue - 1;
                latency = p.MemoryLatency + p.WriteResponseExtra;
                break;
            }

            case Opcode.ConfigPost:
                start = Math.Max(start, lastRowRead + p.PostDrain);
                if (insn.Reg == PostRegister.LnResidual)
                {
                    lnResidual = (long)insn.Value;
                }
                else if (insn.Reg == PostRegister.LnAffine)
                {
                    gbCached = 0;
                }
                else if (insn.Reg == PostRegister.SoftmaxBlock)
                {
                    softmaxBlock = (long)insn.Value;
                }

                issue = 1;
                latency = 0;
                break;
            case Opcode.ConfigStore:
                issue = 1;
                latency = 0;
                break;
            default:
                throw new NotSupportedException($"the performance model has no timing for opcode {insn.Opcode}");
        }

        storeFree = start + issue;
        busy[2] += issue;
        if (insn.Opcode != Opcode.Store)
        {
            var finish = start + issue + latency;
            return (finish, finish, finish);
        }

        var lastRead = start + issue - 1;
        lastRowRead = lastRead;
        return (lastRead, lastRead, lastRead + latency);
    }

    // Blocks of a logical row (x from xRow, the residual from resRow, a block every `stride` rows) whose two rows share
    // an accumulator bank: the store unit reads the residual the cycle after.
    private long SharedBankBlocks(long xRow, long resRow, long stride, long blocks)
    {
        if (d.AccBanks < 2)
        {
            return blocks;
        }

        var bankRows = d.AccDepth / d.AccBanks;
        long shared = 0;
        for (long b = 0; b < blocks; b++)
        {
            var off = b * stride;
            shared += (xRow + off) / bankRows == (resRow + off) / bankRows ? 1 : 0;
        }

        return shared;
    }
}
