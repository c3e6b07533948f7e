using System.Globalization;
using HwGen.Generator.Isa;
using HwGen.Software.Decode;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Tests.Verif;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Decode;

/// <summary>Generation on the RTL: the prefill and each decode step against the golden model, DRAM carried from program to program.</summary>
[Collection(CosimGroup.Name)]
public sealed class DecodeCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 50_000_000, Watchdog = 500_000 };

    [SkippableFact]
    public async Task A_two_layer_prefill_and_decode_steps_match_the_golden_model_step_by_step_cache_rows_and_logits_included()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var model = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=2,vocab=96,seed=3"));
        var h = model.Spec.Hidden;

        // Act
        var report = await DecodeCosim.RunAsync(session, model, Bounded);

        // Assert: every program matched bit for bit (whole image), and each step fed the previous step's choice.
        foreach (var s in report.Steps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {s.Step} ctx {s.Context} {s.Input}->{s.Next}: {s.Cycles} cycles, read {s.Traffic.ReadBytes} B, bound {s.BoundCycles:F0} ({s.OfBound:P1})"));
            Assert.True(s.Cosim.Match, string.Join("; ", s.Cosim.Problems));
        }

        Assert.True(report.Match);
        Assert.Equal(3, report.Steps.Count);
        Assert.Equal(2, report.Tokens);
        for (var j = 1; j < report.Steps.Count; j++)
        {
            var s = report.Steps[j];
            Assert.Equal(report.Steps[j - 1].Next, s.Input);
            Assert.Equal(model.Prompt.Length + j, s.Context);

            // One K row and one V row appended per layer; the whole cache up to the new row read once for QKᵀ and once for P·V.
            Assert.Equal(2L * 2 * h, s.Traffic.CacheWriteBytes);
            Assert.Equal(2L * 2 * h * s.Context, s.Traffic.CacheReadBytes);
            Assert.Equal((long)s.Cosim.DmaReadBytes, s.Traffic.ReadBytes);
            Assert.Equal((long)s.Cosim.DmaWriteBytes, s.Traffic.WriteBytes);
            Assert.Equal("bandwidth", s.Bound);
            Assert.InRange(s.OfBound, 0.7, 1.0);
        }

        // The same generation with the prefill on the golden model only (sim --golden-prefill): the same decode steps,
        // cycle for cycle, from the golden model's image
        var fromGolden = await DecodeCosim.RunAsync(session, model, Bounded, goldenPrefill: true);
        Assert.True(fromGolden.Match);
        Assert.Equal(1, fromGolden.GoldenPrefills);
        Assert.Equal(report.Steps.Skip(1).Select(s => (s.Step, s.Context, s.Input, s.Next, s.Cycles)), fromGolden.Steps.Select(s => (s.Step, s.Context, s.Input, s.Next, s.Cycles)));
    }

    [SkippableFact]
    public async Task A_decode_with_int4_weights_matches_the_golden_model_step_by_step_cache_rows_and_logits_included()
    {
        // Arrange: the first test's generation with the projection and FFN weights int4, blocked two column blocks wide (COLS bytes a row).
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var model = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=2,vocab=96,seed=3,wbits=4"));
        var int8 = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=2,vocab=96,seed=3"));
        var int8Weights = DecodeTraffic.Of(DecodeCompiler.Step(session.Design, int8, 0).Program).WeightBytes;
        // The weight rows a step loads: int4 block rows (unpacked on load), and on default (array.int4_pairs) mostly packed pair
        // rows of two blocks, COLS bytes each, which its computes take whole (compute int4_pairs).
        var insns = DecodeCompiler.Step(session.Design, model, 0).Program.Instructions.Select(i => new InstructionView(i)).ToList();
        var int4Rows = insns.Where(v => v.Opcode == Opcode.Load && v.Int4).Sum(v => v.Rows);
        var pairComputes = insns.Where(v => v.Opcode == Opcode.Compute && v.Int4Pairs).ToList();
        var pairRows = pairComputes.Sum(v => v.K);
        Assert.Equal(session.Design.Int4Pairs, pairComputes.Count > 0);

        // Act
        var report = await DecodeCosim.RunAsync(session, model, Bounded);

        // Assert: every program bit-exact (whole image: cache rows and logits included), each step fed the previous choice,
        // a step reads the layers' weights at half the bytes (the LM head stays int8) plus the per-channel constants (a
        // multiplier row per block of Q, K and V, two GELU rows per block of FFN1, three column-mode rows per block of each
        // residual add for the per-channel Wo and W2, int32), and its int4 block rows of half a
        // beat and pair rows of a beat merge into long bursts: far fewer read bursts than weight rows.
        foreach (var s in report.Steps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {s.Step} ctx {s.Context} {s.Input}->{s.Next}: {s.Cycles} cycles, weights {s.Traffic.WeightBytes} B (int8 {int8Weights} B)"));
            Assert.True(s.Cosim.Match, string.Join("; ", s.Cosim.Problems));
        }

        Assert.True(report.Match);
        Assert.Equal(3, report.Steps.Count);
        var layerBytes = 2L * 12 * model.Spec.Hidden * model.Spec.Hidden;
        var cols = session.Design.Cols;
        var columnBytes = 2L * (((3 + (2 * 3)) * ((model.Spec.Hidden + cols - 1) / cols)) + (2 * ((model.Spec.Ffn + cols - 1) / cols))) * cols * 4;
        for (var j = 1; j < report.Steps.Count; j++)
        {
            var s = report.Steps[j];
            Assert.Equal(report.Steps[j - 1].Next, s.Input);
            Assert.Equal((long)s.Cosim.DmaReadBytes, s.Traffic.ReadBytes);
            Assert.Equal(int8Weights - (layerBytes / 2) + columnBytes, s.Traffic.WeightBytes);
            Assert.True(s.Cosim.Axi.ReadBursts < (int4Rows + pairRows) / 16, $"{s.Cosim.Axi.ReadBursts} read bursts for {int4Rows} int4 rows and {pairRows} pair rows");
        }
    }

    [SkippableFact]
    public async Task A_verified_draft_rolled_back_in_cosimulation_equals_a_generation_that_never_saw_the_dropped_tokens()
    {
        // Arrange: prefill in chunks of 4, a 4-token verification step, a rollback to keep one drafted token, two more steps.
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var d = session.Design;
        var model = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=6,layers=2,vocab=96,seed=3,chunk=4"));
        var cosim = new CosimStepper(DecodeCosim.Start(session, model, Bounded));

        // Act
        var (spec, reference) = await Speculation.RunAsync(model, cosim, new GoldenStepper(d, model));

        // Assert: every program bit-exact on the RTL (whole image), and the result that of the generation without the dropped tokens.
        foreach (var s in cosim.Run.Steps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Kind} {s.Shape}: {s.Cycles} cycles, fed {string.Join(' ', s.Fed)} -> {string.Join(' ', s.Chosen)}"));
        }

        Assert.Equal(["prefill", "prefill", "verify", "decode", "decode"], cosim.Run.Steps.Select(s => s.Kind));
        var verify = cosim.Run.Steps[2];
        Assert.Equal(2L * 4 * 2 * model.Spec.Hidden, verify.Traffic.CacheWriteBytes);
        Assert.Equal(2L * 2 * model.Spec.Hidden * 9, verify.Traffic.CacheReadBytes);
        Speculation.AssertEqual(model, spec, reference);
    }

    [SkippableFact]
    public async Task A_batch_with_unequal_contexts_matches_the_golden_model_step_by_step()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var model = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=3/6,generate=2,layers=2,vocab=96,seed=3"));
        var h = model.Spec.Hidden;

        // Act
        var report = await DecodeCosim.RunAsync(session, model, Bounded);

        // Assert: one prefill step of 3 + 6 rows, then two steps of one row per sequence, each sequence over its own context.
        foreach (var s in report.Steps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Kind} {s.Shape}: {s.Cycles} cycles, bound {s.BoundCycles:F0} ({s.OfBound:P1})"));
            Assert.True(s.Cosim.Match, string.Join("; ", s.Cosim.Problems));
            Assert.Equal((long)s.Cosim.DmaReadBytes, s.Traffic.ReadBytes);
            Assert.Equal((long)s.Cosim.DmaWriteBytes, s.Traffic.WriteBytes);
        }

        Assert.True(report.Match);
        Assert.Equal(["s0@0+3,s1@0+6", "s0@3+1,s1@6+1", "s0@4+1,s1@7+1"], report.Steps.Select(s => s.Shape!.ToString()));
        Assert.Equal(4, report.Tokens);
        var last = report.Steps[^1];
        Assert.Equal(2, last.Chosen.Count);
        Assert.Equal(2L * 2 * 2 * h, last.Traffic.CacheWriteBytes);
        Assert.Equal(2L * 2 * h * (5 + 8), last.Traffic.CacheReadBytes);
    }

    /// <summary>Steps in co-simulation; every step must match.</summary>
    private sealed class CosimStepper(DecodeCosim run) : IDecodeStepper
    {
        public DecodeCosim Run => run;

        public DecodeHistory History => run.History;

        public async Task<(long[][] Logits, CompiledProgram Program, byte[] Dram)> StepAsync(DecodeShape shape)
        {
            var s = await run.StepAsync(shape);
            Assert.True(s.Cosim.Match, $"{shape}: " + string.Join("; ", s.Cosim.Problems));
            return (s.Logits.ToArray(), DecodeCompiler.Compile(run.Design, run.Model, shape).Program, run.GoldenDram!);
        }
    }
}
