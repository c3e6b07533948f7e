using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>
/// The fuzzer's 16-bit residual-stream prologue: random <c>load elem16</c> instructions into every target the design has
/// (their scratchpad rows exposed through a compute with the identity and a store) and, with the LayerNorm unit, random
/// <c>normalize wide</c> LayerNorms and adds (with and without residual, and a multiplier-1 add that copies int16 rows
/// loaded with elem16 back to DRAM), run before a compiled program. Its data and outputs lie in a region appended to the
/// image (the program moves after it), so the workload's tensors and its untiled reference are untouched; only the
/// RTL-against-golden comparison of the whole DRAM checks it. It ends with a token barrier (a config_post pushes ST→EX,
/// a one-row compute passes it on as EX→LD, and a load of a zero row into scratchpad row 0 pops it), so the program's
/// first load waits until the prologue's units have read everything, and it sets the store registers it used back to
/// their reset values.
/// </summary>
public static class WidePrologue
{
    /// <summary>True when the prologue fits the design's local memories.</summary>
    public static bool Fits(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.AccDepth >= 52 + d.SpRowBytes && d.SpDepth >= 16 + d.SpRowBytes + d.Rows;
    }

    /// <summary>The program with the prologue drawn from <paramref name="seed"/> in front, or the program itself when it does not fit.</summary>
    public static CompiledProgram Prepend(DesignModel d, CompiledProgram program, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        if (!Fits(d))
        {
            return program;
        }

        var rng = new SeededRandom(seed ^ 0x5157_1DE5_16B1_7E00UL);
        var n = d.Cols;
        var srb = d.SpRowBytes;
        var region = (program.Dram.LongLength + 63) / 64 * 64;
        var dataBytes = (d.Rows * n) + srb + (8 * 18 * n) + 0x1000;
        var data = new byte[dataBytes];
        for (var i = 0; i < dataBytes / 2; i++)
        {
            short v = (rng.Next(8)) switch
            {
                0 => short.MaxValue,
                1 => short.MinValue,
                2 => (short)(rng.Next(512) - 256),
                _ => (short)(rng.Next(1 << 16) - (1 << 15)),
            };
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i, 2), v);
        }

        // The identity (int8, Rows x Cols) and a zero row for the barrier load at the start of the region.
        const int Identity = 0;
        var zero = Identity + (d.Rows * n);
        data.AsSpan(0, zero + srb).Clear();
        for (var t = 0; t < Math.Min(d.Rows, n); t++)
        {
            data[Identity + (t * n) + t] = 1;
        }

        var dataStart = zero + srb;
        long Data(int bytes) => region + dataStart + rng.Next(dataBytes - dataStart - bytes);
        var outStart = region + dataBytes;
        var outAt = outStart;
        long Out(long bytes)
        {
            var at = outAt + rng.Next(8);
            outAt = at + bytes + rng.Next(8);
            return at;
        }

        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        void Line(string text) => s.Append(text).Append('\n');

        // Part A: elem16 loads into sp, sp_t and acc; the scratchpad rows through the identity into the accumulator.
        var ws = d.SupportWs;
        var r1 = 1 + rng.Next(Math.Min(d.Rows, 8));
        var c1 = 1 + rng.Next(srb);
        var s1 = (2 * c1) + rng.Next(9);
        const int SpT = 16;
        var spI = SpT + srb;

        // Accumulator rows: C of the plain rows, C of the transposed rows, the elem16 acc rows, x and residual blocks,
        // gamma/beta, the int16 blocks for the add copy, the barrier row.
        var accT = 8;
        var accE = accT + srb;
        var accX = accE + 8;
        var accGb = accX + 18;
        var accW = accGb + 6;
        var barrier = accW + 9;
        Line(string.Create(inv, $"load elem16=1 rows={r1} cols={c1} local_addr=8 dram_addr={Data(r1 * s1)} dram_stride={s1}"));
        var r2 = 0;
        if (d.TransposedLoad)
        {
            r2 = 1 + rng.Next(Math.Min(d.Rows, srb));
            var c2 = 1 + rng.Next(srb);
            var s2 = (2 * c2) + rng.Next(9);
            Line(string.Create(inv, $"load target=sp_t elem16=1 rows={r2} cols={c2} local_addr={SpT} dram_addr={Data(r2 * s2)} dram_stride={s2}"));
        }

        Line(string.Create(inv, $"load rows={d.Rows} cols={n} local_addr={spI} dram_addr={region + Identity} dram_stride={n}"));
        var r3 = 1 + rng.Next(8);
        var c3 = 1 + rng.Next(n);
        var s3 = (2 * c3) + rng.Next(9);
        Line(string.Create(inv, $"load target=acc elem16=1 rows={r3} cols={c3} local_addr={accE} dram_addr={Data(r3 * s3)} dram_stride={s3}"));

        // Part B (LayerNorm unit): x and residual rows (int32), gamma/beta, and int16 rows for the add copy.
        var lnRows = 1 + rng.Next(3);
        var width = 1 + rng.Next((2 * n) + 3);
        var blocks = (width + n - 1) / n;
        var layerNorm = d.UnitLayerNorm && blocks <= 3;
        if (layerNorm)
        {
            var xAt = Data(18 * 4 * n);
            for (var i = 0; i < 18 * n; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan((int)(xAt - region) + (4 * i), 4), rng.Next(1 << 21) - (1 << 20));
            }

            var gbAt = Data(6 * 4 * n);
            for (var row = 0; row < 6; row++)
            {
                for (var j = 0; j < n; j++)
                {
                    var v = row % 2 == 0 ? rng.Next(1 << 16) - (1 << 15) : rng.Next(1 << 14) - (1 << 13);
                    BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan((int)(gbAt - region) + (4 * ((row * n) + j)), 4), v);
                }
            }

            Line(string.Create(inv, $"load target=acc rows=18 cols={n} local_addr={accX} dram_addr={xAt} dram_stride={4 * n}"));
            Line(string.Create(inv, $"load target=acc rows=6 cols={n} local_addr={accGb} dram_addr={gbAt} dram_stride={4 * n}"));
            var ws16 = (2 * width) + rng.Next(5);
            var e16 = Data(lnRows * ws16);
            for (var b = 0; b < blocks; b++)
            {
                Line(string.Create(inv, $"load target=acc elem16=1 rows={lnRows} cols={Math.Min(n, width - (b * n))} local_addr={accW + (b * lnRows)} dram_addr={e16 + (2L * b * n)} dram_stride={ws16}"));
            }
        }

        Line(string.Create(inv, $"load target=acc rows=1 cols=1 local_addr={barrier} dram_addr={region + zero} dram_stride=4 push_next=1"));
        Line(ws
            ? string.Create(inv, $"compute dataflow=ws rows={r1} k={d.Rows} a_addr=8 b_addr={spI} c_addr=0 pop_prev=1")
            : string.Create(inv, $"compute dataflow=os rows={Math.Min(d.Rows, n)} k={Math.Min(r1, d.Rows)} a_addr=8 b_addr={spI} c_addr=0 pop_prev=1"));
        if (r2 > 0)
        {
            Line(ws
                ? string.Create(inv, $"compute dataflow=ws rows={srb} k={d.Rows} a_addr={SpT} b_addr={spI} c_addr={accT}")
                : string.Create(inv, $"compute dataflow=os rows={Math.Min(d.Rows, n)} k={Math.Min(srb, d.Rows)} a_addr={SpT} b_addr={spI} c_addr={accT}"));
        }

        Line("compute dataflow=" + (ws ? "ws" : "os") + string.Create(inv, $" rows=1 k=1 c_addr={barrier} push_next=1"));
        Line("config_store multiplier=1 shift=0 pop_prev=1");
        Line(string.Create(inv, $"store rows=8 cols={n} local_addr=0 dram_addr={Out(8L * n)} dram_stride={n}"));
        if (r2 > 0)
        {
            Line(string.Create(inv, $"store rows={srb} cols={n} local_addr={accT} dram_addr={Out((long)srb * n)} dram_stride={n}"));
        }

        Line(string.Create(inv, $"store rows={r3} cols={n} local_addr={accE} dram_addr={Out((long)r3 * n)} dram_stride={n}"));
        Line("config_store multiplier=1 shift=8");
        Line(string.Create(inv, $"store rows={r3} cols={n} local_addr={accE} dram_addr={Out((long)r3 * n)} dram_stride={n}"));

        if (layerNorm)
        {
            var c = IntLayerNormConstants.FromScales(width, 1.0, 1.0, 1.0 / 16384, 2.0 / 127);
            var stride = (2 * width) + rng.Next(5);
            Line(string.Create(inv, $"config_post reg=ln_res_mult value={c.Residual!.Multiplier}"));
            Line(string.Create(inv, $"config_post reg=ln_res_shift value={c.Residual.Shift}"));
            Line(string.Create(inv, $"config_post reg=ln_out_mult value={c.Output.Multiplier}"));
            Line(string.Create(inv, $"config_post reg=ln_out_shift value={c.Output.Shift}"));
            Line(string.Create(inv, $"config_post reg=ln_affine value={accGb}"));
            Line(string.Create(inv, $"config_post reg=ln_residual value={(rng.Next(2) == 0 ? 0 : accX + 10)}"));
            Line(string.Create(inv, $"config_post reg=add_out_mult value={1 + rng.Next(int.MaxValue)}"));
            Line(string.Create(inv, $"config_post reg=add_out_shift value={20 + rng.Next(30)}"));
            Line(string.Create(inv, $"normalize func=layernorm wide=1 rows={lnRows} width={width} local_addr={accX} dram_addr={Out((long)lnRows * stride)} dram_stride={stride}"));
            Line(string.Create(inv, $"normalize func=add wide=1 rows={lnRows} width={width} local_addr={accX} dram_addr={Out((long)lnRows * stride)} dram_stride={stride}"));
            Line(string.Create(inv, $"normalize func=layernorm rows={lnRows} width={width} local_addr={accX} dram_addr={Out((long)lnRows * stride)} dram_stride={stride}"));
            Line("config_post reg=ln_residual value=0");
            Line("config_post reg=add_out_mult value=1");
            Line("config_post reg=add_out_shift value=0");
            Line(string.Create(inv, $"normalize func=add wide=1 rows={lnRows} width={width} local_addr={accW} dram_addr={Out((long)lnRows * stride)} dram_stride={stride}"));
            foreach (var reg in new[] { "ln_res_mult", "ln_res_shift", "ln_out_mult", "ln_out_shift", "ln_affine", "add_out_mult" })
            {
                Line("config_post reg=" + reg + " value=0");
            }
        }

        // Back to the reset state, then the barrier: ST->EX (a config_post waits until every row has left the store
        // unit), EX->LD, and a load of zeros into scratchpad row 0.
        Line("config_store multiplier=1 shift=0");
        Line("config_post reg=add_out_shift value=0 push_prev=1");
        Line("compute dataflow=" + (ws ? "ws" : "os") + string.Create(inv, $" rows=1 k=1 c_addr={barrier} pop_next=1 push_prev=1"));
        Line(string.Create(inv, $"load rows=1 cols=1 local_addr=0 dram_addr={region + zero} dram_stride={srb} pop_next=1"));

        var prologue = Assembler.Assemble(s.ToString());
        var instructions = prologue.Concat(program.Instructions.Take(program.Length)).ToList();
        var programAt = (outAt + 64 + 15) / 16 * 16;
        var image = new byte[programAt + ((long)instructions.Count * IsaSpec.InstructionBytes)];
        program.Dram.CopyTo(image, 0);
        data.CopyTo(image, region);
        image.AsSpan((int)outStart, (int)(programAt - outStart)).Fill(0xA5);
        for (var i = 0; i < instructions.Count; i++)
        {
            instructions[i].Encode().CopyTo(image, programAt + ((long)i * IsaSpec.InstructionBytes));
        }

        return program with { Dram = image, ProgramAddress = programAt, Instructions = instructions, Length = instructions.Count };
    }
}
