using System.Buffers.Binary;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Golden;

/// <summary>The golden model's load, store and compute units.</summary>
public sealed partial class GoldenSimulator
{
    /// <summary>The local-memory and DRAM rows of a load, store or normalize.</summary>
    private static (int Rows, int Local, long Addr, long Stride) Transfer(InstructionView i) =>
        ((int)i.Rows, (int)i.LocalAddr, i.DramAddr, i.DramStride);

    private (FaultCode, string) DoLoad(InstructionView i)
    {
        var target = i.Target;
        var (rows, local, addr, stride) = Transfer(i);
        var cols = (int)i.Cols;
        if (DramSpan(addr, stride, rows, i.LoadRowBytes, write: false) is { } readFault)
        {
            return (FaultCode.DmaReadError, readFault);
        }

        readBytes += rows * i.LoadRowBytes;
        var wide = i.Elem16;
        var int4 = i.Int4;
        switch (target)
        {
            case LoadTarget.Scratchpad:
                for (var r = 0; r < rows; r++)
                {
                    var row = sp.AsSpan((local + r) * d.SpRowBytes, d.SpRowBytes);
                    row.Clear();
                    var src = addr + (r * stride);
                    for (var e = 0; e < cols; e++)
                    {
                        row[e] = LoadByte(src, e, wide, int4);
                    }
                }

                break;
            case LoadTarget.ScratchpadTransposed:
                for (var c = 0; c < cols; c++)
                {
                    var row = sp.AsSpan((local + c) * d.SpRowBytes, d.SpRowBytes);
                    row.Clear();
                    for (var r = 0; r < rows; r++)
                    {
                        row[r] = LoadByte(addr + (r * stride), c, wide, int4);
                    }
                }

                break;
            default:
                for (var r = 0; r < rows; r++)
                {
                    var row = acc.AsSpan((local + r) * d.Cols, d.Cols);
                    row.Clear();
                    var src = addr + (r * stride);
                    for (var e = 0; e < cols; e++)
                    {
                        row[e] = wide ? Int16At(src + (2 * e)) : BinaryPrimitives.ReadInt32LittleEndian(dram.AsSpan((int)(src + (4 * e)), 4));
                    }
                }

                break;
        }

        return Ok();
    }

    /// <summary>
    /// Element e of the DRAM row at src as a scratchpad byte: the int8 itself, the int16 narrowed (elem16), or the signed
    /// nibble sign-extended (int4: element e in the low nibble of byte e/2 when e is even, the high nibble when odd).
    /// </summary>
    private sbyte LoadByte(long src, int e, bool wide, bool int4) =>
        wide ? FixedPoint.NarrowWide(Int16At(src + (2 * e)))
        : int4 ? Int4Packing.Unpack(dram[src + (e / 2)], e % 2)
        : (sbyte)dram[src + e];

    private short Int16At(long at) => BinaryPrimitives.ReadInt16LittleEndian(dram.AsSpan((int)at, 2));

    private (FaultCode, string) DoStore(InstructionView i)
    {
        var (rows, local, addr, stride) = Transfer(i);
        var cols = (int)i.Cols;
        if (DramSpan(addr, stride, rows, cols, write: true) is { } writeFault)
        {
            return (FaultCode.DmaWriteError, writeFault);
        }

        writeBytes += (long)rows * cols;
        var func = i.StoreFunc;
        var gelu = func is StoreFunc.Requantize or StoreFunc.RequantizeRow ? null : GeluConstants();

        // gelu_col: the constants rows are read first, before any output row (lane j = column j).
        var columns = func == StoreFunc.GeluColumn ? GeluColumns() : null;

        // col_mult: so is the multipliers row (lane j = column j, bits 0..30), with config_store's shift and ReLU.
        var colRequant = i.ColMult ? ColumnRequants() : null;
        for (var r = 0; r < rows; r++)
        {
            // requant_row: config_store's shift and ReLU with the row's multiplier from the row-scale memory.
            var rowRequant = func == StoreFunc.RequantizeRow ? requant with { Multiplier = rowScales[RowScaleSlot(r)] } : requant;
            var row = acc.AsSpan((local + r) * d.Cols, d.Cols);
            var dst = addr + (r * stride);
            for (var e = 0; e < cols; e++)
            {
                dram[dst + e] = (byte)(gelu is null ? (colRequant?[e] ?? rowRequant).Apply(row[e])
                    : columns is null ? IntGelu.Apply(row[e], gelu)
                    : columns[e].Apply(row[e], gelu));
            }
        }

        return Ok();
    }

    /// <summary>The per-column GELU constants of lanes 0..COLS-1 from accumulator rows gelu_cols and gelu_cols + 1.</summary>
    private IntGeluColumn[] GeluColumns()
    {
        var at = (int)Reg(PostRegister.GeluCols) * d.Cols;
        var columns = new IntGeluColumn[d.Cols];
        for (var j = 0; j < d.Cols; j++)
        {
            columns[j] = IntGeluColumn.Decode(acc[at + j], acc[at + d.Cols + j]);
        }

        return columns;
    }

    /// <summary>config_store's requantization with lane j's multiplier (bits 0..30 of accumulator row requant_cols) for column j.</summary>
    private Requantization[] ColumnRequants()
    {
        var at = (int)Reg(PostRegister.RequantCols) * d.Cols;
        var list = new Requantization[d.Cols];
        for (var j = 0; j < d.Cols; j++)
        {
            list[j] = requant with { Multiplier = acc[at + j] & Requantizer.MaxMultiplier };
        }

        return list;
    }

    private void DoCompute(InstructionView i)
    {
        var ws = i.Dataflow == Dataflow.Ws;
        var mode = i.Mode;
        var rows = (int)i.Rows;
        var k = (int)i.K;
        var aAddr = (int)i.AAddr;
        var bAddr = (int)i.BAddr;
        var cAddr = (int)i.CAddr;
        var cols = d.Cols;
        var srb = d.SpRowBytes;
        var halves = i.Int4Pairs ? 2 : 1;

        // The bias rows are read once, before any output row is written (int4 pairs: one bias row per half).
        var bias = mode == ComputeMode.Bias ? acc.AsSpan((int)i.BiasAddr * cols, cols * halves).ToArray() : null;
        var sum = new int[cols];
        // int4 pairs: the k packed B rows unpacked once, half by half (row t of half h at (h·k + t)·cols); int8 reads SP.
        var unpacked = i.Int4Pairs ? UnpackPairs(bAddr, k) : null;
        for (var half = 0; half < halves; half++)
        {
            for (var r = 0; r < rows; r++)
            {
                var c = acc.AsSpan((cAddr + (half * rows) + r) * cols, cols);
                if (mode == ComputeMode.Overwrite)
                {
                    Array.Clear(sum);
                }
                else
                {
                    (mode == ComputeMode.Accumulate ? c : bias.AsSpan(half * cols, cols)).CopyTo(sum);
                }

                for (var t = 0; t < k; t++)
                {
                    // WS: A(r,t) = SP[a+r][t]; OS: A(r,t) = SP[a+t][r].
                    var a = ws ? sp[((aAddr + r) * srb) + t] : sp[((aAddr + t) * srb) + r];
                    if (a == 0)
                    {
                        continue;
                    }

                    var b = unpacked is null ? sp.AsSpan((bAddr + t) * srb, cols) : unpacked.AsSpan(((half * k) + t) * cols, cols);
                    for (var j = 0; j < cols; j++)
                    {
                        sum[j] = IntegerMac.Mac(sum[j], a, b[j]);
                    }
                }

                sum.CopyTo(c);
            }
        }

        macs += (long)rows * k * cols * halves;
    }

    /// <summary>
    /// The <paramref name="k"/> packed int4 B rows from <paramref name="bAddr"/> of a <c>compute int4_pairs</c>, sign-extended:
    /// half h's row t (elements h·COLS.. of the packed row) at (h·k + t)·COLS.
    /// </summary>
    private sbyte[] UnpackPairs(int bAddr, int k)
    {
        var cols = d.Cols;
        var unpacked = new sbyte[2 * k * cols];
        for (var t = 0; t < k; t++)
        {
            var raw = sp.AsSpan((bAddr + t) * d.SpRowBytes, cols);
            for (var e = 0; e < 2 * cols; e++)
            {
                unpacked[((((e / cols) * k) + t) * cols) + (e % cols)] = Int4Packing.Element(raw, e);
            }
        }

        return unpacked;
    }
}
