using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

public sealed class WorkloadTests
{
    [Fact]
    public void A_gemm_spec_parses_and_prints_canonically()
    {
        // Act
        var spec = WorkloadSpec.Parse("gemm:M=100, N=77,K=0x2d");

        // Assert
        Assert.Equal("gemm", spec.Kind);
        Assert.Equal((100L, 77L, 45L), (spec.Get("M"), spec.Get("N"), spec.Get("K")));
        Assert.Equal("gemm:M=100,N=77,K=45", spec.ToString());
    }

    [Theory]
    [InlineData("conv:M=1", "unknown kind 'conv'")]
    [InlineData("gemm:M=1,N=2", "missing K")]
    [InlineData("gemm:M=1,N=2,K=x", "'K=x' is not an integer")]
    [InlineData("gemm:M=1,N=2,K=0", "K=0 is out of range")]
    [InlineData("gemm:M=1,N=2,K=3,Q=4", "unknown parameter 'Q'")]
    [InlineData("gemm:M=1,N=2,K=3,M=4", "'M' is given twice")]
    [InlineData("gemm:M1,N=2,K=3", "'M1' is not NAME=value")]
    public void Bad_specs_name_the_bad_part(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => WorkloadSpec.Parse(text));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gemm_with_int4_weights_draws_b_in_the_int4_range_and_keeps_wbits_in_its_spec()
    {
        // Arrange
        var spec = WorkloadSpec.Parse("gemm:M=16,N=24,K=40,wbits=4");

        // Act
        var w = GemmWorkload.FromSpec(spec);

        // Assert
        Assert.Equal(4, w.WeightBits);
        Assert.All(w.B, b => Assert.InRange(b, (sbyte)-8, (sbyte)7));
        Assert.Contains(w.B, b => Math.Abs(b) == 7);
        Assert.EndsWith(",wbits=4", w.Spec, StringComparison.Ordinal);
        Assert.Equal(w.Spec, GemmWorkload.FromSpec(WorkloadSpec.Parse(w.Spec)).Spec);
        Assert.Equal(8, GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=1,N=1,K=1")).WeightBits);
        var error = Assert.Throws<FormatException>(() => GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=1,N=1,K=1,wbits=6")));
        Assert.Contains("wbits=6 is not 4 or 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_data_is_deterministic_per_seed_and_quantized_symmetrically()
    {
        // Act
        var a = GemmWorkload.Create(40, 50, 60, seed: 9);
        var b = GemmWorkload.Create(40, 50, 60, seed: 9);
        var c = GemmWorkload.Create(40, 50, 60, seed: 10);

        // Assert
        Assert.Equal(a.A, b.A);
        Assert.Equal(a.B, b.B);
        Assert.NotEqual(a.B, c.B);
        Assert.Equal(127, a.A.Max(x => Math.Abs((int)x)));
        Assert.Equal(127, a.B.Max(x => Math.Abs((int)x)));
        Assert.True(a.Requant.IsValid);
    }

    [Fact]
    public void The_integer_result_tracks_the_float_reference_within_a_few_output_steps()
    {
        // Arrange
        var w = GemmWorkload.Create(64, 48, 128, seed: 4);

        // Act
        var q = w.ReferenceOutput();
        var f = w.FloatReference();

        // Assert: the only error is the final rounding (and saturation at the calibrated maximum).
        var worst = q.Select((x, i) => Math.Abs((x * w.ScaleC) - f[i]) / w.ScaleC).Max();
        Assert.InRange(worst, 0, 0.5 + 1e-6);
    }
}
