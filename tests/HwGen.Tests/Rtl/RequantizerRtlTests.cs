using System.Globalization;
using System.Numerics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Numerics;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Rtl;

/// <summary>
/// hwgen_requant alone in Icarus Verilog, for every way of spreading the work over time: rows of
/// random and extreme accumulators, multipliers and shifts (a new configuration on every row,
/// rows exactly II cycles apart), each byte equal to <see cref="Requantizer.Apply"/>.
/// </summary>
public sealed class RequantizerRtlTests
{
    private const int Lanes = 4;

    public static TheoryData<int, int> Variants() => new()
    {
        { 4, 32 },  // one row per cycle
        { 2, 32 },  // two groups, whole products
        { 1, 16 },  // streamed products, 16-bit digits
        { 2, 8 },
        { 1, 4 },
        { 1, 2 },
        { 1, 1 },
    };

    [SkippableTheory]
    [MemberData(nameof(Variants))]
    public async Task Every_requantizer_variant_matches_the_golden_requantizer(int par, int digit)
    {
        // Arrange
        var iverilog = ExternalTool.Require("iverilog", "iverilog");
        var vvp = ExternalTool.Require("vvp", "iverilog");
        var dir = Path.Combine(Path.GetTempPath(), $"hwgen-rq-{par}-{digit}-{Guid.NewGuid():N}");
        var design = DesignResolver.LoadText(
            $"name: rq\narray:\n  rows: 4\n  cols: {Lanes}\nscratchpad:\n  kib: 4\n  banks: 2\naccumulator:\n  kib: 4\n  banks: 2\naxi:\n  data_bits: 32\nrequant:\n  lanes: {par}\n  digit_bits: {digit}\n");
        RtlGenerator.Generate(design, dir, "test");
        var ii = design.RequantCyclesPerRow;
        var rows = Rows(new SeededRandom((ulong)((par * 100) + digit)));
        await File.WriteAllTextAsync(Path.Combine(dir, "vec.hex"), string.Join('\n', rows.Select(Pack)) + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "tb.v"), Testbench(par, digit, ii, rows.Count));

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
                var actual = (sbyte)(byte)((word >> (8 * e)) & 0xff);
                var (acc, mult, shift, relu) = (rows[r].Acc[e], rows[r].Mult, rows[r].Shift, rows[r].Relu);
                Assert.True(Requantizer.Apply(acc, mult, shift, relu) == actual,
                    $"row {r} element {e}: acc {acc} mult {mult} shift {shift} relu {relu}: RTL {actual}, golden {Requantizer.Apply(acc, mult, shift, relu)}");
            }
        }

        Directory.Delete(dir, recursive: true);
    }

    private sealed record Row(int[] Acc, long Mult, int Shift, bool Relu);

    /// <summary>Every shift 0..62 with random operands, then extreme operands, then random rows.</summary>
    private static List<Row> Rows(SeededRandom rng)
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
        for (var shift = 0; shift <= Requantizer.MaxShift; shift++)
        {
            rows.Add(new Row([RandomAcc(), RandomAcc(), RandomAcc(), RandomAcc()], RandomMult(), shift, rng.Next(2) == 1));
        }

        foreach (var mult in new long[] { 0, 1, int.MaxValue })
        {
            foreach (var shift in new[] { 0, 1, 7, 31, 32, 54, 61, 62 })
            {
                rows.Add(new Row([int.MinValue, int.MaxValue, -1, 1], mult, shift, false));
                rows.Add(new Row([int.MinValue, int.MaxValue, -1, 1], mult, shift, true));
            }
        }

        for (var i = 0; i < 150; i++)
        {
            rows.Add(new Row([RandomAcc(), RandomAcc(), RandomAcc(), RandomAcc()], RandomMult(), rng.Next(63), rng.Next(2) == 1));
        }

        return rows;
    }

    /// <summary>One row as hex: {relu, shift[5:0], mult[30:0], acc3 .. acc0}.</summary>
    private static string Pack(Row row)
    {
        var v = new BigInteger(row.Relu ? 1 : 0);
        v = (v << 6) | row.Shift;
        v = (v << 31) | row.Mult;
        for (var e = Lanes - 1; e >= 0; e--)
        {
            v = (v << 32) | (uint)row.Acc[e];
        }

        return v.ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');
    }

    private static string Testbench(int par, int digit, int ii, int count)
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
                wire out_valid;
                wire [{{(Lanes * 8) - 1}}:0] out_data;
                reg [{{(Lanes * 32) + 37}}:0] vec [0:{{count - 1}}];
                integer i, f;

                hwgen_requant #(.LANES({{Lanes}}), .PAR({{par}}), .DIGIT({{digit}})) dut (
                    .clk(clk), .rst(rst), .in_valid(in_valid), .in_acc(in_acc), .in_mult(in_mult),
                    .in_shift(in_shift), .in_relu(in_relu), .out_valid(out_valid), .out_data(out_data));

                always @(posedge clk) begin
                    if (out_valid) begin
                        $fwrite(f, "%h\n", out_data);
                    end
                end

                initial begin
                    $readmemh("vec.hex", vec);
                    f = $fopen("out.txt", "w");
                    repeat (3) @(posedge clk);
                    rst <= 1'b0;
                    for (i = 0; i < {{count}}; i = i + 1) begin
                        @(posedge clk);
                        {in_relu, in_shift, in_mult, in_acc} <= vec[i];
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
