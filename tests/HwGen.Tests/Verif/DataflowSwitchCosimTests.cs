using System.Globalization;
using System.Text;
using HwGen.Software.Programs;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>
/// The execute unit's hand-over from output-stationary to weight-stationary computes. A WS compute whose preload is done
/// while the last OS compute waits for the drain slot (a short k) must not start in the cycle that OS compute moves into
/// the drain slot: the drain's flush step would take the launch of the WS stream's first row (found by a decode step's
/// output-stationary P·V, K = context, followed by weight-stationary computes: ten rows lost, the MAC counter 2,560 low).
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class DataflowSwitchCosimTests(CosimFixture fixture)
{
    [SkippableFact]
    public async Task A_weight_stationary_compute_right_after_a_short_output_stationary_one_keeps_its_first_row()
    {
        // Arrange: on tiny (4×4, both dataflows), for each short k of 1..6: an OS compute of k = 12, one of the short k,
        // then a one-row WS compute with no token to wait for, each into its own accumulator rows; every row stored.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder("load target=sp rows=64 cols=4 local_addr=0 dram_addr=0x0 dram_stride=4 push_next=1\n");
        var pop = " pop_prev=1";
        for (var k = 1; k <= 6; k++)
        {
            var c = (k - 1) * 9;
            text.Append(inv, $"compute dataflow=os mode=overwrite rows=4 k=12 a_addr=0 b_addr=12 c_addr={c}{pop}\n");
            text.Append(inv, $"compute dataflow=os mode=overwrite rows=4 k={k} a_addr=24 b_addr={24 + k} c_addr={c + 4}\n");
            text.Append(inv, $"compute dataflow=ws mode=overwrite rows=1 k=4 a_addr={40 + k} b_addr=48 c_addr={c + 8}{(k == 6 ? " push_next=1" : string.Empty)}\n");
            pop = string.Empty;
        }

        text.Append("config_store multiplier=1 shift=0\n");
        text.Append("store rows=54 cols=4 local_addr=0 dram_addr=0x400 dram_stride=4 pop_prev=1\n");
        var image = new byte[4096];
        var rng = new Random(5);
        for (var i = 0; i < 256; i++)
        {
            image[i] = (byte)(sbyte)rng.Next(-8, 8);
        }

        var program = AssembledProgram.Create("os-then-ws", AssembledProgram.Words(text.ToString()), image);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { Watchdog = 20_000, MaxCycles = 1_000_000 });

        // Assert: every stored row and the MAC counter equal the golden model's (6 × (16·12 + 16·k + 16·4) MACs).
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
    }
}
