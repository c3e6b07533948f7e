using System.Globalization;
using System.Numerics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Rtl;

/// <summary>
/// hwgen_requant alone in Icarus Verilog, for every way of spreading the work over time: rows of
/// random and extreme accumulators, multipliers and shifts (a new configuration on every row,
/// rows exactly II cycles apart), each byte equal to <see cref="Requantizer.Apply"/>; with WIDE = 1
/// (designs with the LayerNorm unit) rows that ask for the int16 saturation (in_wide) give
/// sat16(round_half_up(acc·mult / 2^shift)) on out_wide, the others their int8 result sign-extended. With COLM = 1
/// (requant.per_column) half the rows take per-column multipliers (in_col, a random multiplier per lane; store col_mult).
/// </summary>
public sealed class RequantizerRtlTests
{
    private const int Lanes = 4;

    public static TheoryData<int, int, bool, bool> Variants()
    {
        var data = new TheoryData<int, int, bool, bool>();
        foreach (var (wide, col) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            data.Add(4, 32, wide, col);  // one row per cycle
            data.Add(2, 32, wide, col);  // two groups, whole products
            data.Add(1, 16, wide, col);  // streamed products, 16-bit digits
            data.Add(2, 8, wide, col);
            data.Add(1, 4, wide, col);
            data.Add(1, 2, wide, col);
            data.Add(1, 1, wide, col);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Variants))]
    public async Task Every_requantizer_variant_matches_the_golden_requantizer(int par, int digit, bool wide, bool col)
    {
        // Arrange
        var iverilog = ExternalTool.Require("iverilog", "iverilog");
        var vvp = ExternalTool.Require("vvp", "iverilog");
        var dir = Path.Combine(Path.GetTempPath(), $"hwgen-rq-{par}-{digit}-{wide}-{col}-{Guid.NewGuid():N}");
        var design = DesignResolver.LoadText(
            $"name: rq\narray:\n  rows: 4\n  cols: {Lanes}\nscratchpad:\n  kib: 4\n  banks: 2\naccumulator:\n  kib: 4\n  banks: 2\naxi:\n  data_bits: 32\nrequant:\n  lanes: {par}\n  digit_bits: {digit}\n");
        RtlGenerator.Generate(design, dir, "test");
        var ii = design.RequantCyclesPerRow;
        var rows = Rows(new SeededRandom((ulong)((par * 100) + digit + (wide ? 7 : 0) + (col ? 13 : 0))), wide, col);
        await File.WriteAllTextAsync(Path.Combine(dir, "vec.hex"), string.Join('\n', rows.Select(Pack)) + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "tb.v"), Testbench(par, digit, ii, rows.Count, wide, col));

        // Act
        var build = await Cli.Wrap(iverilog)
            .WithArguments(["-g2005", "-o", "tb.vvp", "-I", ".", "tb.v", "hwgen_requant.v", "hwgen_requant_round.v"])
            .WithWorkingDirectory(dir).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(build.ExitCode == 0, build.StandardError);
        var run = await Cli.Wrap(vvp).WithArguments(["-n", "tb.vvp"])
            .WithWorkingDirectory(dir).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        var outputs = File.ReadAllLines(Path.Combine(dir, "out.txt")).Where(l => l.Length > 0).ToArray();

        // Assert
        Assert.True(run.ExitCode == 0 && !run.StandardOutput.Contains("in_valid while", StringComparison.Ordinal), run.StandardOutput);
        Assert.Equal(rows.Count, outputs.Length);
        for (var r = 0; r < rows.Count; r++)
        {
            var word = BigInteger.Parse("0" + outputs[r], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            for (var e = 0; e < Lanes; e++)
            {
                var (acc, mult, shift, relu) = (rows[r].Acc[e], rows[r].Col is { } cm ? cm[e] : rows[r].Mult, rows[r].Shift, rows[r].Relu);
                var narrow = Requantizer.Apply(acc, mult, shift, relu);
                var actual = wide ? (short)(ushort)((word >> (16 * e)) & 0xffff) : (sbyte)(byte)((word >> (8 * e)) & 0xff);
                var expected = rows[r].Wide ? FixedPoint.SaturateInt16(FixedPoint.RoundShift((long)acc * mult, shift)) : narrow;
                Assert.True(expected == actual,
                    $"row {r} element {e}: acc {acc} mult {mult} shift {shift} relu {relu} wide {rows[r].Wide}: RTL {actual}, golden {expected}");
            }
        }

        Directory.Delete(dir, recursive: true);
    }

    private sealed record Row(int[] Acc, long Mult, int Shift, bool Relu, bool Wide = false)
    {
        /// <summary>Per-column multipliers (in_col set), or null for in_mult.</summary>
        public long[]? Col { get; init; }
    }

    /// <summary>Every shift 0..62 with random operands, then extreme operands, then random rows; with <paramref name="wide"/> half of them int16 (no ReLU).</summary>
    private static List<Row> Rows(SeededRandom rng, bool wide, bool col)
    {
        int RandomAcc() => rng.Next(4) switch
        {
            0 => (int)rng.NextU64(),
            1 => rng.Next(2001) - 1000,
            2 => rng.Next(2) == 0 ? int.MinValue : int.MaxValue,
            _ => (int)(rng.NextU64() >> (33 + rng.Next(31))) * (rng.Next(2) == 0 ? 1 : -1),
        };
        long RandomMult() => rng.Next(3) switch
        {
            0 => (long)(rng.NextU64() & int.MaxValue),
            1 => rng.Next(2) == 0 ? 0 : int.MaxValue,
            _ => (long)(rng.NextU64() & int.MaxValue) >> rng.Next(31),
        };

        var rows = new List<Row>();
        Row Random(int shift)
        {
            var w = wide && rng.Next(2) == 1;
            return new Row([RandomAcc(), RandomAcc(), RandomAcc(), RandomAcc()], RandomMult(), shift, !w && rng.Next(2) == 1, w);
        }

        for (var shift = 0; shift <= Requantizer.MaxShift; shift++)
        {
            rows.Add(Random(shift));
            if (wide)
            {
                rows.Add(Random(shift) with { Relu = false, Wide = true });
            }
        }

        foreach (var mult in new long[] { 0, 1, int.MaxValue })
        {
            foreach (var shift in new[] { 0, 1, 7, 8, 15, 16, 17, 31, 32, 46, 47, 54, 56, 61, 62 })
            {
                rows.Add(new Row([int.MinValue, int.MaxValue, -1, 1], mult, shift, false));
                rows.Add(new Row([int.MinValue, int.MaxValue, -1, 1], mult, shift, true));
                if (wide)
                {
                    rows.Add(new Row([int.MinValue, int.MaxValue, -1, 1], mult, shift, false, true));
                    rows.Add(new Row([-65536, 65535, 32767, -32769], mult, shift, false, true));
                }
            }
        }

        for (var i = 0; i < 150; i++)
        {
            rows.Add(Random(rng.Next(63)));
        }

        // Per-column multipliers on every other row, so a column row follows a plain one and the other way round.
        return col ? rows.Select((r, i) => i % 2 == 1 ? r : r with { Col = [RandomMult(), RandomMult(), RandomMult(), RandomMult()] }).ToList() : rows;
    }

    /// <summary>One row as hex: {col, wide, relu, shift[5:0], mult[30:0], cmult3 .. cmult0, acc3 .. acc0}.</summary>
    private static string Pack(Row row)
    {
        var v = new BigInteger(row.Col is null ? 0 : 1);
        v = (v << 1) | (row.Wide ? 1 : 0);
        v = (v << 1) | (row.Relu ? 1 : 0);
        v = (v << 6) | row.Shift;
        v = (v << 31) | row.Mult;
        for (var e = Lanes - 1; e >= 0; e--)
        {
            v = (v << 31) | (row.Col?[e] ?? 0);
        }

        for (var e = Lanes - 1; e >= 0; e--)
        {
            v = (v << 32) | (uint)row.Acc[e];
        }

        return v.ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');
    }

    private static string Testbench(int par, int digit, int ii, int count, bool wide, bool col)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            `timescale 1ns / 1ps
            module tb;
                reg clk = 1'b0;
                always #5 clk = ~clk;
                reg rst = 1'b1;
                reg in_valid = 1'b0;
                reg [{{(Lanes * 32) - 1}}:0] in_acc;
                reg [30:0] in_mult;
                reg [5:0] in_shift;
                reg in_relu;
                reg in_wide;
                reg in_col;
                reg [{{(Lanes * 31) - 1}}:0] in_cmult;
                wire out_valid;
                wire [{{(Lanes * 8) - 1}}:0] out_data;
                wire [{{(Lanes * 16) - 1}}:0] out_wide;
                reg [{{(Lanes * 63) + 39}}:0] vec [0:{{count - 1}}];
                integer i, f;

                hwgen_requant #(.LANES({{Lanes}}), .PAR({{par}}), .DIGIT({{digit}}), .WIDE({{(wide ? 1 : 0)}}), .COLM({{(col ? 1 : 0)}})) dut (
                    .clk(clk), .rst(rst), .in_valid(in_valid), .in_acc(in_acc), .in_mult(in_mult), .in_col(in_col), .in_cmult(in_cmult),
                    .in_shift(in_shift), .in_relu(in_relu), .in_wide(in_wide), .out_valid(out_valid), .out_data(out_data),
                    .out_wide(out_wide));

                always @(posedge clk) begin
                    if (out_valid) begin
                        $fwrite(f, "%h\n", {{(wide ? "out_wide" : "out_data")}});
                    end
                end

                initial begin
                    $readmemh("vec.hex", vec);
                    f = $fopen("out.txt", "w");
                    repeat (3) @(posedge clk);
                    rst <= 1'b0;
                    for (i = 0; i < {{count}}; i = i + 1) begin
                        @(posedge clk);
                        {in_col, in_wide, in_relu, in_shift, in_mult, in_cmult, in_acc} <= vec[i];
                        in_valid <= 1'b1;
                        @(posedge clk);
                        in_valid <= 1'b0;
                        repeat ({{Math.Max(0, ii - 2)}}) @(posedge clk);
                    end
                    repeat ({{ii + 8}}) @(posedge clk);
                    $fclose(f);
                    $finish;
                end
            endmodule

            """);
        return sb.ToString();
    }
}
