using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>What the fuzzer draws and how it puts faults in, checked without Verilator (drawing and the golden model only).</summary>
public sealed class FuzzDrawTests
{
    private static List<(DesignModel Design, FuzzCase Case)> Draw(ulong seed, int configs, int casesPerConfig)
    {
        var rng = new SeededRandom(seed);
        var drawn = new List<(DesignModel, FuzzCase)>();
        for (var i = 0; i < configs; i++)
        {
            var (_, design) = Fuzzer.DrawConfig(rng, $"c{i}");
            for (var j = 0; j < casesPerConfig; j++)
            {
                drawn.Add((design, Fuzzer.DrawCase(rng, design, $"fuzz-out/c{i}.yaml")));
            }
        }

        return drawn;
    }

    [Fact]
    public void A_seeded_short_run_draws_every_workload_kind_every_fault_kind_and_every_lean_option()
    {
        // Arrange / Act: the draws of a 40-configuration run with 25 cases each.
        var drawn = Draw(16, 40, 25);
        var designs = drawn.Select(d => d.Design).Distinct().ToList();
        var features = designs.SelectMany(Fuzzer.Features).ToHashSet(StringComparer.Ordinal);

        // Assert
        Assert.Equal(["bert-tiny", "gelu", "gemm", "gemm+gelu", "layernorm", "resadd", "softmax"], drawn.Select(d => d.Case.WorkloadKind).Distinct().Order(StringComparer.Ordinal));
        Assert.All(["gemm+relu", "gemm+int4", "softmax+causal", "layernorm+residual", "layernorm+residual+in_shift", "layernorm+in_shift", "resadd+residual", "gelu+percol", "bert-tiny+causal"],
            label => Assert.Contains(drawn, d => d.Case.WorkloadLabel == label));
        Assert.Contains(drawn, d => d.Case.WorkloadLabel.EndsWith("+stack", StringComparison.Ordinal));
        Assert.Equal(FaultInjection.Kinds, drawn.Select(d => d.Case.Fault).Distinct().Order());
        Assert.InRange(drawn.Count(d => d.Case.Fault != FuzzFault.None), drawn.Count / 6, drawn.Count / 3);
        Assert.All(["dataflow_ws", "dataflow_os", "dataflow_both", "dsp_packing", "logic_multipliers", "dsp_multipliers", "serial_requant",
                "requant_digits_1", "requant_digits_32", "combinational_tiles", "registered_pes", "no_unit_gelu", "no_unit_softmax", "no_unit_layernorm",
                "unit_gelu", "unit_softmax", "unit_layernorm", "no_transposed_load", "int4_load", "no_int4_load", "per_column_requant", "no_per_column_requant", "counters_cycles_only", "narrow_counters", "one_entry_queue"],
            f => Assert.Contains(f, features));

        // Every kind also fits some drawn design (a kind that never compiles would only ever be skipped).
        Assert.All(drawn.GroupBy(d => d.Case.WorkloadKind), kind => Assert.Contains(kind, d => Compiles(d.Design, d.Case)));

        // A workload is drawn only where the design has its units, a GEMM dataflow only where the design has it.
        Assert.All(drawn, d => Assert.True(d.Case.WorkloadKind switch
        {
            "gemm+gelu" or "gelu" => d.Design.UnitGelu,
            "softmax" => d.Design.UnitSoftmax,
            "layernorm" or "resadd" => d.Design.UnitLayerNorm,
            "bert-tiny" => d.Design.UnitGelu && d.Design.UnitSoftmax && d.Design.UnitLayerNorm,
            _ => true,
        } && d.Design.Supports(d.Case.Dataflow) && (!d.Case.Workload.Contains("wbits=4", StringComparison.Ordinal) || (d.Design.Int4Load && d.Design.Cols % 2 == 0)), $"{d.Case.Workload} on {Fuzzer.Describe(d.Design)}"));
    }

    private static bool Compiles(DesignModel design, FuzzCase c)
    {
        try
        {
            WorkloadCompiler.Prepare(design, WorkloadSpec.Parse(c.SeededWorkload), c.Dataflow);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData("gemm:M=9,N=7,K=11,relu=1,seed=3")]
    [InlineData("softmax:rows=5,cols=19,causal=1,seed=4")]
    [InlineData("layernorm:rows=3,cols=10,residual=1,seed=5")]
    public void Every_injected_fault_gives_the_golden_model_the_expected_fault_and_a_hang_case_deadlocks(string workload)
    {
        // Arrange
        var design = TestConfigs.Load("tiny");
        var program = WorkloadCompiler.Compile(design, WorkloadSpec.Parse(workload));

        foreach (var fault in FaultInjection.Kinds.Where(f => f != FuzzFault.None))
        {
            for (var pick = 1UL; pick <= 5; pick++)
            {
                // Act
                var injected = FaultInjection.Apply(fault, pick * 7919, design, program, new CosimOptions());
                Assert.NotNull(injected);
                var golden = GoldenSimulator.Run(design, injected.Program, injected.Options.GoldenInjectedError());

                // Assert
                var what = $"{workload} {FaultInjection.Name(fault)} pick {pick}: {injected.Description}";
                if (fault == FuzzFault.Hang)
                {
                    // The golden model ignores tokens and completes; the token protocol can never finish.
                    Assert.True(golden.Ok, what);
                    Assert.False(TokenChecker.Check(design, injected.Program.Instructions).Ok, what);
                    Assert.True(TokenChecker.Check(design, program.Instructions).Ok, workload);
                }
                else
                {
                    Assert.Contains(golden.Fault, FaultInjection.ExpectedCodes(fault));
                    Assert.InRange(golden.FaultPc, 0, program.Length - 1);
                }

                Assert.Equal(program.Length, injected.Program.Length);
                Assert.Equal(FaultInjection.ChangesProgram(fault), !injected.Program.Dram.AsSpan().SequenceEqual(program.Dram));
            }
        }
    }

    [Fact]
    public void A_fault_the_program_has_no_place_for_is_not_applied()
    {
        // Arrange: a program without instructions or tensors has no load to move, no input byte and no token to pop.
        var design = TestConfigs.Load("tiny");
        var program = WorkloadCompiler.Compile(design, WorkloadSpec.Parse("gemm:M=2,N=2,K=2,seed=1"));
        var empty = program with { Instructions = [], Length = 0, Tensors = [] };

        // Act / Assert
        Assert.Null(FaultInjection.Apply(FuzzFault.LoadDecerr, 1, design, empty, new CosimOptions()));
        Assert.Null(FaultInjection.Apply(FuzzFault.LoadSlverr, 1, design, empty, new CosimOptions()));
        Assert.Null(FaultInjection.Apply(FuzzFault.Hang, 1, design, empty, new CosimOptions()));
        Assert.NotNull(FaultInjection.Apply(FuzzFault.LocalRange, 1, design, program, new CosimOptions()));
    }
}
