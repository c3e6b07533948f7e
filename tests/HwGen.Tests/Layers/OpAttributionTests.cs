using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Layers;
using HwGen.Software.Performance;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;

namespace HwGen.Tests.Layers;

/// <summary>
/// Per-operation attribution where the compiler software-pipelines operations (issue 13, the attention view): key-blocked
/// attention issues the next tile's scores before this tile's P·V, so the operations' instruction ranges interleave and
/// each instruction's cycles go to the operation recorded for it.
/// </summary>
public sealed class OpAttributionTests
{
    [Theory]
    [InlineData("small", "bert-tiny:seq=160,softmax_late=1")]
    [InlineData("default", "bert-tiny:seq=600,softmax_late=1")]
    public void Every_score_compute_of_a_key_blocked_layer_counts_toward_its_heads_qk_softmax_and_every_pv_compute_toward_its_pv(string config, string workload)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var layer = LayerCompiler.CompileLayers(d, LayerCompiler.Stack(WorkloadSpec.Parse(workload)));
        var program = layer.Program.Instructions;
        var attribution = layer.Attribution;

        // Act: the output-stationary computes (QKᵀ, residual GEMMs) and weight-stationary ones (P·V, projections) per operation.
        var (os, ws) = (new int[layer.Ops.Count], new int[layer.Ops.Count]);
        for (var pc = 0; pc < program.Count; pc++)
        {
            if (program[pc].Opcode == Opcode.Compute)
            {
                var op = attribution.At(pc);
                _ = new InstructionView(program[pc]).Dataflow == Dataflow.Os ? os[op]++ : ws[op]++;
            }
        }

        // Assert: the ranges interleave, every head's QKᵀ is in its own qk_softmax (equal shares: the layer is not
        // causal) and none in its pv, and every pv has P·V computes only.
        Assert.NotNull(layer.OpOf);
        var qk = Enumerable.Range(0, layer.Ops.Count).Where(i => layer.Ops[i].Name.EndsWith(".qk_softmax", StringComparison.Ordinal)).ToList();
        var pv = Enumerable.Range(0, layer.Ops.Count).Where(i => layer.Ops[i].Name.EndsWith(".pv", StringComparison.Ordinal)).ToList();
        Assert.Equal(qk.Count, pv.Count);
        Assert.All(qk, i => Assert.Equal(os[qk[0]], os[i]));
        Assert.All(qk, i => Assert.Equal(0, ws[i]));
        Assert.All(pv, i => Assert.Equal(0, os[i]));
        Assert.All(pv, i => Assert.Equal(ws[pv[0]], ws[i]));
        Assert.True(os[qk[0]] > 0);
    }

    [Fact]
    public void The_modelled_cycles_per_operation_of_a_key_blocked_layer_add_up_to_the_modelled_total()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var layer = LayerCompiler.CompileLayers(d, LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=160,softmax_late=1")));

        // Act
        var perOp = layer.ModelledCycles(d);

        // Assert: QKᵀ runs twice in the key-blocked passes, so each head's qk_softmax takes at least its two passes' rows.
        Assert.Equal(PerfModel.Estimate(d, layer.Program).TotalCycles, perOp.Sum(o => o.Cycles));
        Assert.All(perOp.Where(o => o.Op.Name.EndsWith(".qk_softmax", StringComparison.Ordinal)), o => Assert.True(o.Cycles >= 2 * o.Op.Macs / d.Pes, $"{o.Op.Name}: {o.Cycles} cycles for {o.Op.Macs} MACs"));
    }

    [Fact]
    public void A_layer_whose_operations_follow_their_ranges_records_no_per_instruction_owner()
    {
        // Arrange, act
        var d = TestConfigs.Load("default");
        var layer = LayerCompiler.CompileLayers(d, LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=128,softmax_late=1")));

        // Assert
        Assert.Null(layer.OpOf);
    }
}
