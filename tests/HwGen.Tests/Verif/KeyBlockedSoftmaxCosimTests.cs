using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Key-blocked late Softmax (config_post softmax_block; issue 13, docs/architecture.md): rows split into chunks of keys,
/// a max pass per chunk (mode 1) then an output pass per chunk against the stored row maximum (modes 2 and 3, Σu summed
/// across chunks in the row-scale slot, divided after the last), then store func=requant_row with the resulting
/// multipliers. The RTL must equal the golden model, and the golden model the unblocked late Softmax: u per element and
/// the row multiplier of the row's whole Σu.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class KeyBlockedSoftmaxCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private const long PvMultiplier = 1_518_500_250;
    private const int PvShift = 30;
    private const int RowScaleBase = 1020; // the rows' slots wrap past 1,023

    private readonly RowUnitCosim cosim = new(fixture, output);

    /// <summary>(config, rows, row width, chunk, causal query offset or −1): several chunks with a partial last block, one short row per chunk, causal rows.</summary>
    public static TheoryData<string, int, int, int, int> Cases() => new()
    {
        { "tiny", 5, 22, 8, -1 },
        { "tiny", 6, 3, 8, -1 },
        { "tiny", 7, 20, 8, 16 },
        { "small", 9, 200, 64, 192 },
        { "default", 20, 1100, 512, -1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_golden_model_of_key_blocked_rows_gives_the_unblocked_late_softmax_integers(string config, int rows, int width, int chunk, int query0)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var (program, w) = Compile(d, rows, width, chunk, query0);

        // Act
        var golden = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(golden.Ok, golden.FaultDetail);
        AssertUnblocked(golden.Dram, program, w, query0);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Key_blocked_rows_on_the_rtl_match_the_golden_model_and_the_unblocked_late_softmax(string config, int rows, int width, int chunk, int query0)
    {
        // Arrange
        var d = cosim.Design(config);
        var (program, w) = Compile(d, rows, width, chunk, query0);

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: bit-exact (above) and the golden model's integers are the unblocked kernel's
        Assert.Equal(SimStatus.Done, report.Status);
        AssertUnblocked(GoldenSimulator.Run(d, program).Dram, program, w, query0);
    }

    private static void AssertUnblocked(byte[] dram, CompiledProgram program, SoftmaxWorkload w, int query0)
    {
        var y = program.Tensors.Single(t => t.Name == "Y");
        var o = program.Tensors.Single(t => t.Name == "O");
        var u = new sbyte[w.Cols];
        var pv = new Requantization(PvMultiplier, PvShift, false);
        for (var r = 0; r < w.Rows; r++)
        {
            var sum = IntLateSoftmax.Apply(w.Input.AsSpan(r * w.Cols, w.Cols), u, w.Constants, Valid(w, r, query0));
            Assert.True(sum > 0);
            for (var j = 0; j < w.Cols; j++)
            {
                Assert.True(u[j] == (sbyte)dram[y.Address + (r * y.StrideBytes) + j], string.Create(CultureInfo.InvariantCulture, $"u of row {r} column {j}"));
            }

            var rq = IntLateSoftmax.RowRequantization(pv, sum);
            for (var j = 0; j < o.Cols; j++)
            {
                Assert.Equal(rq.Apply(ZValue(r, j)), (sbyte)dram[o.Address + (r * o.StrideBytes) + j]);
            }
        }
    }

    private static int Valid(SoftmaxWorkload w, int r, int query0) => query0 < 0 ? w.Cols : IntSoftmax.CausalValid(w.Cols, r, query0);

    private static int ZValue(int r, int j) => ((r * 7919) + (j * 104_729)) % 300_000 - 150_000;

    /// <summary>
    /// The program: X (rows × width int32) loaded chunk by chunk into alternating accumulator buffers; per chunk a max
    /// pass, then per chunk an output pass into Y; then Z (rows × COLS int32) stored with requant_row into O.
    /// </summary>
    private static (CompiledProgram Program, SoftmaxWorkload W) Compile(DesignModel d, int rows, int width, int chunk, int query0)
    {
        var w = SoftmaxWorkload.Create(rows, width, causal: false, seed: (ulong)(rows + width));
        var b = new PhaseBuilder(d, 0, 2);
        b.Op("softmax", 0);
        var x = b.Int32("X", rows, width, w.Input);
        var z = b.Int32("Z", rows, d.Cols, Enumerable.Range(0, rows * d.Cols).Select(i => ZValue(i / d.Cols, i % d.Cols)).ToArray());
        var y = b.Tensor("Y", TensorRole.Output, rows, width, null);
        var o = b.Tensor("O", TensorRole.Output, rows, d.Cols, null);
        b.Preamble([.. PostConfig.Softmax(w.Constants), PendingInstruction.ConfigPost(PostRegister.SoftmaxPvMult, PvMultiplier),
            PendingInstruction.ConfigPost(PostRegister.RowScaleBase, RowScaleBase)]);
        var chunks = (width + chunk - 1) / chunk;
        var bufferRows = (chunk + d.Cols - 1) / d.Cols * rows;
        var step = 0;
        foreach (var outputPass in new[] { false, true })
        {
            for (var c = 0; c < chunks; c++)
            {
                var (k0, kw) = (c * chunk, Math.Min(chunk, width - (c * chunk)));
                var buffer = (step++ % 2) * bufferRows;
                var ph = new Phase();
                for (var blk = 0; blk * d.Cols < kw; blk++)
                {
                    ph.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, rows, Math.Min(d.Cols, kw - (blk * d.Cols)), buffer + (blk * rows),
                        x.Address + (4L * (k0 + (blk * d.Cols))), x.StrideBytes));
                }

                var mode = (outputPass ? (c == chunks - 1 ? 3 : 2) : 1) | (c == 0 ? 4 : 0);
                ph.Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxBlock, mode));
                ph.Stores.Add(PendingInstruction.Normalize(NormalizeFunc.SoftmaxLate, rows, kw, buffer, y.Address + k0, y.StrideBytes, query0 >= 0, query0 >= 0 ? query0 - k0 : 0));
                b.Add(ph);
            }
        }

        var last = new Phase();
        var zBase = 2 * bufferRows;
        last.Loads.Add(PendingInstruction.Load(LoadTarget.Accumulator, rows, d.Cols, zBase, z.Address, z.StrideBytes));
        last.Stores.Add(PendingInstruction.ConfigPost(PostRegister.SoftmaxBlock, 0));
        last.Stores.Add(PendingInstruction.ConfigStore(new Requantization(PvMultiplier, PvShift + IntLateSoftmax.RowShift, false)));
        last.Stores.Add(PendingInstruction.Store(StoreFunc.RequantizeRow, rows, d.Cols, zBase, o.Address, o.StrideBytes));
        b.Add(last);
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["rows"] = rows,
            ["cols"] = width,
            ["kernel"] = "softmax_blocked",
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return (b.Build(string.Create(CultureInfo.InvariantCulture, $"softmax_blocked:rows={rows},cols={width},chunk={chunk},q0={query0}"), 0, meta), w);
    }
}
