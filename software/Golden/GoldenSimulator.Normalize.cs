using System.Buffers.Binary;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Golden;

/// <summary>The golden model's normalize unit (Softmax, LayerNorm, residual add) and its post-processing registers.</summary>
public sealed partial class GoldenSimulator
{
    private (FaultCode, string) DoNormalize(InstructionView i)
    {
        var (rows, local, addr, stride) = Transfer(i);
        var width = (int)i.Width;
        var blocks = (int)NormalizeBlocks(width);
        var block = i.NormalizeFunc == NormalizeFunc.SoftmaxLate ? Reg(PostRegister.SoftmaxBlock) : 0;
        if ((block & 3) == 1)
        {
            DoSoftmaxMaxPass(rows, width, local, blocks, i, (block & 4) != 0);
            return Ok();
        }

        if (DramSpan(addr, stride, rows, i.NormalizeRowBytes, write: true) is { } writeFault)
        {
            return (FaultCode.DmaWriteError, writeFault);
        }

        writeBytes += rows * i.NormalizeRowBytes;
        if (i.NormalizeFunc == NormalizeFunc.LayerNorm)
        {
            DoLayerNorm(rows, width, local, addr, stride, blocks, i.Wide);
            return Ok();
        }

        if (i.NormalizeFunc == NormalizeFunc.Add)
        {
            DoResidualAdd(rows, width, local, addr, stride, blocks, i.Wide);
            return Ok();
        }

        var c = new IntSoftmaxConstants(0, new Requantization(Reg(PostRegister.SoftmaxMult), (int)Reg(PostRegister.SoftmaxShift), false));
        var late = i.NormalizeFunc == NormalizeFunc.SoftmaxLate;
        var row = new int[width];
        var output = new sbyte[width];
        for (var r = 0; r < rows; r++)
        {
            for (var b = 0; b < blocks; b++)
            {
                var src = acc.AsSpan((local + (b * rows) + r) * d.Cols, d.Cols);
                var n = Math.Min(d.Cols, width - (b * d.Cols));
                src[..n].CopyTo(row.AsSpan(b * d.Cols, n));
            }

            var valid = i.CausalField == 1 ? IntSoftmax.CausalValid(width, r, (int)i.MaskOffset) : width;
            if (late && (block & 2) != 0)
            {
                // Key-blocked output pass: u against the stored row maximum, Σu added into the row's slot (the multiplier after the last chunk).
                var slot = RowScaleSlot(r);
                var sum = ((block & 4) != 0 ? 0 : rowScales[slot]) + IntLateSoftmax.ApplyAgainst(row, output, c, valid, rowMaxes[slot]);
                rowScales[slot] = (block & 3) == 3 ? IntLateSoftmax.RowMultiplier(sum, Reg(PostRegister.SoftmaxPvMult)) : sum;
            }
            else if (late)
            {
                var sum = IntLateSoftmax.Apply(row, output, c, valid);
                rowScales[RowScaleSlot(r)] = IntLateSoftmax.RowMultiplier(sum, Reg(PostRegister.SoftmaxPvMult));
            }
            else
            {
                IntSoftmax.ApplyBlocked(row, output, c, valid, d.Cols);
            }

            var dst = addr + (r * stride);
            for (var e = 0; e < width; e++)
            {
                dram[dst + e] = (byte)output[e];
            }
        }

        return Ok();
    }

    /// <summary>
    /// The max pass of key-blocked softmax_late (softmax_block 1, +4 on the first chunk): each row's maximum over the
    /// chunk's unmasked keys is merged into (or, first, replaces) its row-max slot; nothing is written to DRAM.
    /// </summary>
    private void DoSoftmaxMaxPass(int rows, int width, int local, int blocks, InstructionView i, bool first)
    {
        var row = new int[width];
        for (var r = 0; r < rows; r++)
        {
            for (var b = 0; b < blocks; b++)
            {
                var n = Math.Min(d.Cols, width - (b * d.Cols));
                acc.AsSpan((local + (b * rows) + r) * d.Cols, n).CopyTo(row.AsSpan(b * d.Cols, n));
            }

            var valid = i.CausalField == 1 ? IntSoftmax.CausalValid(width, r, (int)i.MaskOffset) : width;
            var slot = RowScaleSlot(r);
            rowMaxes[slot] = IntSoftmax.Max(row, valid, first ? int.MinValue : rowMaxes[slot]);
        }
    }

    /// <summary>
    /// LayerNorm of block-major rows with the ln_* registers (the scales are not used by the integer kernel). γ/β come
    /// from the unit's cache: when it covers fewer than the row's blocks (it is emptied by every config_post ln_affine),
    /// γ/β of all the row's blocks are first read from ln_affine + 2b and + 2b + 1. In column mode (ln_in_shift ≠ 0)
    /// each block has three rows, ln_affine + 3b (γ in the low 16 bits, the input multiplier m_j in the high 16), + 3b + 1
    /// (β) and + 3b + 2 (the residual multiplier A_j), and h_j = sat32(ScaleInput(x_j, m_j, ln_in_shift) +
    /// round(r_j·A_j / 2^ln_res_shift)) (<c>NormColumns</c>). With <paramref name="wide"/> the output elements are int16
    /// (<see cref="IntLayerNorm.AffineWide"/>).
    /// </summary>
    private void DoLayerNorm(int rows, int width, int local, long addr, long stride, int blocks, bool wide)
    {
        var residualReg = Reg(PostRegister.LnResidual);
        var c = new IntLayerNormConstants(
            width,
            1.0,
            residualReg == 0 ? null : new Requantization(Reg(PostRegister.LnResMult), (int)Reg(PostRegister.LnResShift), false),
            1.0,
            1.0,
            new Requantization(Reg(PostRegister.LnOutMult), (int)Reg(PostRegister.LnOutShift), false));
        var inShift = (int)Reg(PostRegister.LnInShift);
        FillAffineCache(width, blocks, inShift);
        var gamma = gammaCache.AsSpan(0, width);
        var beta = betaCache.AsSpan(0, width);
        var x = new int[width];
        var residual = residualReg == 0 ? [] : new int[width];
        var output = new sbyte[width];
        var u = new int[width];
        var outputWide = new short[width];
        for (var r = 0; r < rows; r++)
        {
            ReadRow(x, residual, residualReg, local, rows, r, width, blocks);
            var res = residual;
            var constants = c;
            if (inShift != 0)
            {
                // Column mode: x rescaled per column, the residual aligned per column, then the kernel without a residual.
                ColumnSum(x, residual, inShift);
                res = [];
                constants = c with { Residual = null };
            }

            if (wide)
            {
                IntLayerNorm.Normalized(x, res, u, constants);
                for (var j = 0; j < width; j++)
                {
                    outputWide[j] = IntLayerNorm.AffineWide(u[j], gamma[j], beta[j], constants);
                }

                WriteRow(outputWide, addr + (r * stride));
            }
            else
            {
                IntLayerNorm.Apply(x, res, gamma, beta, output, constants);
                WriteRow(output, addr + (r * stride));
            }
        }
    }

    /// <summary>
    /// Fills the γ/β cache (with the input multipliers m_j and, in column mode, the residual multipliers A_j) from
    /// ln_affine when it covers fewer than the row's blocks: two rows per block, three in column mode
    /// (<paramref name="inShift"/> ≠ 0). The cache is emptied by every config_post ln_affine or ln_in_shift.
    /// </summary>
    private void FillAffineCache(int width, int blocks, int inShift)
    {
        if ((long)cachedBlocks * d.Cols >= width)
        {
            return;
        }

        var perBlock = inShift == 0 ? 2 : 3;
        var affine = (int)Reg(PostRegister.LnAffine);
        for (var b = 0; b < blocks; b++)
        {
            for (var j = 0; j < d.Cols; j++)
            {
                var word = acc[((affine + (perBlock * b)) * d.Cols) + j];
                gammaCache[(b * d.Cols) + j] = unchecked((short)word);
                scaleCache[(b * d.Cols) + j] = unchecked((ushort)(word >>> 16));
                betaCache[(b * d.Cols) + j] = acc[((affine + (perBlock * b) + 1) * d.Cols) + j];
                residualCache[(b * d.Cols) + j] = perBlock == 3 ? acc[((affine + (perBlock * b) + 2) * d.Cols) + j] : 0;
            }
        }

        cachedBlocks = blocks;
    }

    /// <summary>
    /// The column mode's sum in place: x_j = sat32(ScaleInput(x_j, m_j, <paramref name="inShift"/>) + round(r_j·A_j /
    /// 2^ln_res_shift)) with m_j and A_j from the cache (<c>NormColumns.Sum</c>); no residual term when
    /// <paramref name="residual"/> is empty.
    /// </summary>
    private void ColumnSum(int[] x, int[] residual, int inShift)
    {
        var shr = (int)Reg(PostRegister.LnResShift);
        for (var j = 0; j < x.Length; j++)
        {
            var aligned = residual.Length == 0 ? 0 : FixedPoint.RoundShift((long)residual[j] * (uint)residualCache[j], shr);
            x[j] = FixedPoint.SaturateInt32(IntLayerNorm.ScaleInput(x[j], scaleCache[j], inShift) + aligned);
        }
    }

    /// <summary>
    /// The residual add (normalize func add) of block-major rows with ln_res_*, ln_residual and add_out_* (int16 output
    /// with <paramref name="wide"/>). In column mode (ln_in_shift ≠ 0) the sum is the column mode's (<see cref="ColumnSum"/>:
    /// m_j and A_j from the γ/β cache, filled from ln_affine as LayerNorm fills it) and add_out_* requantize it.
    /// </summary>
    private void DoResidualAdd(int rows, int width, int local, long addr, long stride, int blocks, bool wide)
    {
        var residualReg = Reg(PostRegister.LnResidual);
        var inShift = (int)Reg(PostRegister.LnInShift);
        var c = new IntResidualAddConstants(
            1.0,
            residualReg == 0 || inShift != 0 ? null : new Requantization(Reg(PostRegister.LnResMult), (int)Reg(PostRegister.LnResShift), false),
            1.0,
            new Requantization(Reg(PostRegister.AddOutMult), (int)Reg(PostRegister.AddOutShift), false));
        if (inShift != 0)
        {
            FillAffineCache(width, blocks, inShift);
        }

        var x = new int[width];
        var residual = residualReg == 0 ? [] : new int[width];
        var output = new sbyte[width];
        var outputWide = new short[width];
        for (var r = 0; r < rows; r++)
        {
            ReadRow(x, residual, residualReg, local, rows, r, width, blocks);
            var res = residual;
            if (inShift != 0)
            {
                ColumnSum(x, residual, inShift);
                res = [];
            }

            if (wide)
            {
                for (var j = 0; j < width; j++)
                {
                    outputWide[j] = IntResidualAdd.ApplyWide(x[j], res.Length == 0 ? 0 : res[j], c);
                }

                WriteRow(outputWide, addr + (r * stride));
            }
            else
            {
                IntResidualAdd.Apply(x, res, output, c);
                WriteRow(output, addr + (r * stride));
            }
        }
    }

    /// <summary>Logical row r of a normalize (block b at local + b·rows + r) and, when residualReg is not 0, its residual.</summary>
    private void ReadRow(int[] x, int[] residual, long residualReg, int local, int rows, int r, int width, int blocks)
    {
        for (var b = 0; b < blocks; b++)
        {
            var n = Math.Min(d.Cols, width - (b * d.Cols));
            acc.AsSpan((local + (b * rows) + r) * d.Cols, n).CopyTo(x.AsSpan(b * d.Cols, n));
            if (residualReg != 0)
            {
                acc.AsSpan(((int)residualReg - 1 + (b * rows) + r) * d.Cols, n).CopyTo(residual.AsSpan(b * d.Cols, n));
            }
        }
    }

    private void WriteRow(sbyte[] output, long dst)
    {
        for (var e = 0; e < output.Length; e++)
        {
            dram[dst + e] = (byte)output[e];
        }
    }

    /// <summary>An int16 output row, little-endian (normalize wide).</summary>
    private void WriteRow(short[] output, long dst)
    {
        for (var e = 0; e < output.Length; e++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(dram.AsSpan((int)(dst + (2 * e)), 2), output[e]);
        }
    }

    private long Reg(PostRegister register) => post[(int)register];

    /// <summary>The row-scale slot of row <paramref name="r"/> of a softmax_late normalize or a requant_row store.</summary>
    private int RowScaleSlot(int r) => (int)((Reg(PostRegister.RowScaleBase) + r) % IsaSpec.RowScaleSlots);

    /// <summary>The I-GELU constants as the config_post registers hold them (the scales are not used by the integer kernel).</summary>
    private IntGeluConstants GeluConstants()
    {
        return new IntGeluConstants(0, 0, Reg(PostRegister.GeluClip), Reg(PostRegister.GeluOffset), (int)Reg(PostRegister.GeluErfShift),
            Reg(PostRegister.GeluOne), new Requantization(Reg(PostRegister.GeluOutMult), (int)Reg(PostRegister.GeluOutShift), false));
    }
}
