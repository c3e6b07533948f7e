using HwGen.Generator.Isa;
using HwGen.Software.Programs;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>The watchdog: deadlocked programs end as a hang that names the stalled unit and the token counters.</summary>
[Collection(CosimGroup.Name)]
public sealed class HangCosimTests(CosimFixture fixture)
{
    [SkippableFact]
    public async Task An_exec_instruction_waiting_for_a_token_no_load_pushes_is_reported_as_a_hang_of_the_exec_unit()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = FaultCosimTests.Load("hang_missing_token.s");

        // Act
        var report = await session.RunAsync(program, new CosimOptions { Watchdog = 5_000, MaxCycles = 1_000_000 });

        // Assert
        Assert.Equal(SimStatus.Hang, report.Status);
        Assert.False(report.Match);
        Assert.False(report.Irq);
        Assert.Contains("exec unit waits for a dependency token: LD->EX=0, ST->EX=0; load queue empty, load unit idle", report.Stalled, StringComparison.Ordinal);
        Assert.Equal(1u, IsaSpec.Register("UNIT_STATUS").Extract(report.UnitStatus, "exec_wait"));
        Assert.Equal(0u, report.Tokens);
        Assert.Contains(report.Problems, p => p.Contains("hung", StringComparison.Ordinal));
        Assert.InRange(report.Cycles, 5_000, 20_000);
    }

    [SkippableFact]
    public async Task A_load_waiting_for_an_exec_token_is_reported_as_a_hang_of_the_load_unit_with_its_queue_state()
    {
        // Arrange: the store waits for EX->ST as well; both are named.
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var program = AssembledProgram.Create("load-waits", AssembledProgram.Words("""
            load target=sp rows=2 cols=8 local_addr=0 dram_addr=0x0 dram_stride=8 pop_next=1
            store rows=1 cols=8 local_addr=0 dram_addr=0x100 dram_stride=8 pop_prev=1
            """), new byte[4096]);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { Watchdog = 3_000, MaxCycles = 1_000_000 });

        // Assert
        Assert.Equal(SimStatus.Hang, report.Status);
        Assert.Contains("load unit waits for a dependency token: EX->LD=0; exec queue empty, exec unit idle", report.Stalled, StringComparison.Ordinal);
        Assert.Contains("store unit waits for a dependency token: EX->ST=0", report.Stalled, StringComparison.Ordinal);
        Assert.Contains("every instruction dispatched", report.Stalled, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_busy_long_run_is_not_mistaken_for_a_hang_by_a_short_watchdog()
    {
        // Arrange: heavy backpressure, long latency, a watchdog only a little longer than one burst.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = HwGen.Software.Compiler.GemmCompiler.Compile(session.Design,
            HwGen.Software.Workloads.GemmWorkload.Create(40, 40, 40, seed: 4), HwGen.Generator.Design.Dataflow.Ws);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { Watchdog = 400, StallPercent = 60, Jitter = 30, ReadLatency = 20, WriteLatency = 20, Seed = 9 });

        // Assert
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
    }
}
