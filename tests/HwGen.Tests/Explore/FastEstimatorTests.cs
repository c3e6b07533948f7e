using HwGen.Explore.Cost;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Performance.Fast;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Explore;

/// <summary>The fast estimator (no program built) against the replay of the compiled program (docs/explore.md, "The fast estimator").</summary>
public sealed class FastEstimatorTests
{
    /// <summary>
    /// Each case holds the estimator to a stated bound on the whole workload's cycles and on every operation of at least 5 %
    /// of the workload, a little above what it measures (docs/explore.md, "The fast estimator", re-measured 2026-12-05
    /// after the per-head attention GEMMs went under the latency-bound load rules: the token pop hidden, the fetch bursts
    /// those among the loads): default's causal bert-tiny within 0.7 % per operation and 0.1 % whole; small's bert-tiny within
    /// 1.3 % per operation and 0.5 % whole, its seq 32 within 2.8 % (out_proj_ln1) and 0.7 %, bert-mini within 0.9 % and
    /// 0.4 %; tiny's bert-tiny within 1.2 % per operation (ffn2_ln2; qk_softmax +0.3 %, was −7.3 % when the two rule sets
    /// were merged) and 0.7 % whole; the standalone GEMMs within 0.1 % on default and small and 0.8 % on tiny. The presets on
    /// default are <see cref="Every_operation_of_a_preset_on_default_is_within_two_percent_of_the_replay"/>.
    /// </summary>
    [Theory]
    [InlineData("default", "bert-tiny:causal=1", 0.005, 0.01)]
    [InlineData("small", "bert-tiny", 0.006, 0.015)]
    [InlineData("small", "bert-tiny:seq=32", 0.008, 0.03)]
    [InlineData("small", "bert-mini", 0.005, 0.01)]
    [InlineData("tiny", "bert-tiny", 0.008, 0.013)]
    [InlineData("default", "gemm:M=512,N=512,K=512", 0.005, 0.005)]
    [InlineData("small", "gemm+gelu:M=128,N=512,K=128", 0.005, 0.005)]
    [InlineData("tiny", "gemm:M=256,N=256,K=256", 0.01, 0.01)]
    public void The_fast_estimate_of_a_workload_is_within_the_stated_error_of_the_replay(string config, string workload, double wholeBound, double opBound)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config(config));

        // Act
        var rows = FastValidation.Compare(d, WorkloadSpec.Parse(workload));

        // Assert
        var total = Assert.Single(rows, r => r.Op == "total");
        AssertWithin(total, wholeBound);
        foreach (var op in rows.Where(r => r.Op != "total" && r.Replay >= 0.05 * total.Replay))
        {
            AssertWithin(op, opBound);
        }

        Assert.Equal(total.Fast, rows.Where(r => r.Op != "total").Sum(r => r.Fast));
    }

    /// <summary>
    /// QKᵀ+Softmax and P·V of the per-head GEMM lowering (every attention on small and tiny; sequences of 64 and fewer on
    /// default) within a stated bound of the replay, a little above what they measure (docs/explore.md, "The fast estimator",
    /// 2026-12-05): small's bert-tiny −0.2 / −1.3 % (−2.2 / −2.1 % before these rules), tiny's +0.3 / −0.1 % (+9.0 / −0.9 %;
    /// −7.3 / −0.8 % when merged with the latency-bound load rules, before the pop was hidden and the fetch bursts counted
    /// among the loads), default's bert-mini:seq=64 P·V +1.0 % (−17.9 %); its QKᵀ (−12.7 %) is not modelled closely yet and
    /// is held to 15 %.
    /// </summary>
    [Theory]
    [InlineData("small", "bert-tiny", 0.005, 0.015)]
    [InlineData("tiny", "bert-tiny", 0.005, 0.005)]
    [InlineData("default", "bert-mini:seq=64", 0.15, 0.015)]
    public void Attention_in_the_per_head_gemm_lowering_is_within_the_stated_error_of_the_replay(string config, string workload, double qkBound, double pvBound)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config(config));

        // Act
        var rows = FastValidation.Compare(d, WorkloadSpec.Parse(workload));

        // Assert
        AssertWithin(Assert.Single(rows, r => r.Op == "qk_softmax"), qkBound);
        AssertWithin(Assert.Single(rows, r => r.Op == "pv"), pvBound);
    }

    private static void AssertWithin(FastCheckRow r, double bound) =>
        Assert.True(Math.Abs(r.Error) <= bound, $"{r.Config} {r.Workload} {r.Op}: fast {r.Fast} against replay {r.Replay} ({r.Error:P1})");

    /// <summary>
    /// The bound: every operation of the presets at their default sequence on default within 2 % of the replay
    /// (measured 2026-12-05: at most 1.8 %, gpt2-small's ln2; whole workloads within 0.3 %).
    /// </summary>
    [Theory]
    [InlineData("bert-tiny")]
    [InlineData("bert-mini")]
    [InlineData("bert-base")]
    [InlineData("gpt2-small")]
    [InlineData("vit-b16")]
    public void Every_operation_of_a_preset_on_default_is_within_two_percent_of_the_replay(string workload)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config("default"));

        // Act
        var rows = FastValidation.Compare(d, WorkloadSpec.Parse(workload));

        // Assert
        var total = Assert.Single(rows, r => r.Op == "total");
        AssertWithin(total, 0.005);
        foreach (var op in rows.Where(r => r.Op != "total"))
        {
            AssertWithin(op, 0.02);
        }

        Assert.Equal(total.Fast, rows.Where(r => r.Op != "total").Sum(r => r.Fast));
    }

    /// <summary>
    /// The residual GEMMs that take the output-stationary mapping (LayerNorm or residual add in the epilogue), timed
    /// instruction by instruction, are within 2 % of the replay on every shipped configuration (measured: −1.4 to +1.2 %).
    /// </summary>
    [Theory]
    [InlineData("default", "bert-tiny")]
    [InlineData("default", "gpt2-small")]
    [InlineData("small", "bert-tiny")]
    [InlineData("small", "bert-mini")]
    [InlineData("tiny", "bert-tiny")]
    public void Output_stationary_residual_gemms_are_within_two_percent_of_the_replay(string config, string workload)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config(config));
        var spec = WorkloadSpec.Parse(workload);
        var l = LayerCompiler.Shape(spec);
        var plan = MemoryPlan.For(d, (l.Hidden + d.Cols - 1) / d.Cols);
        var os = new Dictionary<string, bool>
        {
            ["out_proj_ln1"] = KernelGeometry.ResidualOs(d, plan, l.Seq, l.Hidden, l.AttentionWidth) is not null,
            ["out_proj_add1"] = KernelGeometry.ResidualOs(d, plan, l.Seq, l.Hidden, l.AttentionWidth) is not null,
            ["ffn2_ln2"] = KernelGeometry.ResidualOs(d, plan, l.Seq, l.Hidden, l.Ffn) is not null,
            ["ffn2_add2"] = KernelGeometry.ResidualOs(d, plan, l.Seq, l.Hidden, l.Ffn) is not null,
        };

        // Act
        var rows = FastValidation.Compare(d, spec).Where(r => os.GetValueOrDefault(r.Op)).ToList();

        // Assert
        Assert.NotEmpty(rows);
        foreach (var op in rows)
        {
            AssertWithin(op, 0.02);
        }
    }

    [Theory]
    [InlineData("default", "bert-base:seq=128")]
    [InlineData("small", "bert-tiny")]
    [InlineData("default", "gemm:M=256,N=256,K=256")]
    public void The_fast_work_counts_price_close_to_the_programs(string config, string workload)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config(config));
        var spec = WorkloadSpec.Parse(workload);

        // Act
        var fast = FastEstimator.Estimate(d, spec).Counts;
        var counted = EnergyModel.Count(d, WorkloadCompiler.Compile(d, spec).Instructions);

        // Assert: MACs issued exactly as the program issues them; DRAM traffic and energy within 10 %.
        Assert.Equal(counted.Macs, fast.Macs, 0.01 * counted.Macs);
        Assert.Equal(counted.DramBytes, fast.DramBytes, 0.10 * counted.DramBytes);
        var (e, c) = (EnergyModel.Price(d, fast).TotalPj, EnergyModel.Price(d, counted).TotalPj);
        Assert.Equal(c, e, 0.10 * c);
    }

    [Fact]
    public void The_estimator_refuses_what_the_compiler_refuses()
    {
        // Arrange: bert-base's rows do not fit tiny's accumulator.
        var d = DesignResolver.LoadFile(RepoPaths.Config("tiny"));
        var spec = WorkloadSpec.Parse("bert-base");

        // Act
        var rows = FastValidation.Compare(d, spec);

        // Assert
        Assert.Empty(rows);
        Assert.Throws<ArgumentException>(() => FastEstimator.Estimate(d, spec));
    }

    [Fact]
    public void A_model_shape_workload_sets_the_width_heads_and_ffn_of_every_layer()
    {
        // Arrange
        var spec = WorkloadSpec.Parse("bert-base:hidden=384,attn_heads=6,ffn_dim=1536,layers=3");
        var d = DesignResolver.LoadFile(RepoPaths.Config("default"));

        // Act
        var shape = LayerCompiler.Shape(spec);
        var estimate = FastEstimator.Estimate(d, spec);

        // Assert
        Assert.Equal((384, 6, 64, 1536, 128), (shape.Hidden, shape.Heads, shape.HeadDim, shape.Ffn, shape.Seq));
        Assert.Equal(3 * shape.Macs / (double)d.Pes, estimate.IdealCycles, 1e-6);
        Assert.Throws<ArgumentException>(() => LayerCompiler.Shape(WorkloadSpec.Parse("bert-base:hidden=400,attn_heads=6")));
    }

    [Theory]
    [InlineData("default", "bert-base:seq=512")]
    [InlineData("default", "gpt2-small:seq=512")]
    [InlineData("default", "bert-large:seq=1024")]
    [InlineData("small", "bert-mini:seq=512")]
    public void Extrapolating_the_repeating_residual_tiles_gives_what_walking_every_tile_gives(string config, string workload)
    {
        // Arrange
        var d = DesignResolver.LoadFile(RepoPaths.Config(config));
        var spec = WorkloadSpec.Parse(workload);

        // Act
        var walked = FastEstimator.Estimate(d, spec, new HwGen.Software.Performance.PerfParameters(SteadyTiles: false));
        var steady = FastEstimator.Estimate(d, spec);

        // Assert: every operation's cycles and the work counted for the energy model.
        Assert.Equal(walked.Ops.Select(o => (o.Name, o.Cycles)), steady.Ops.Select(o => (o.Name, o.Cycles)));
        Assert.Equal(walked.TotalCycles, steady.TotalCycles);
        Assert.Equal(walked.Counts.Macs, steady.Counts.Macs, 3);
        Assert.Equal(walked.Counts.DramBytes, steady.Counts.DramBytes, 3);
        Assert.Equal(walked.Counts.ScratchpadBits, steady.Counts.ScratchpadBits, 3);
        Assert.Equal(walked.Counts.LayerNormElements + walked.Counts.AddElements, steady.Counts.LayerNormElements + steady.Counts.AddElements, 3);
    }
}
