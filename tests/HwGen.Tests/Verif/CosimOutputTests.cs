using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

[Collection(CosimGroup.Name)]
public sealed class CosimOutputTests(CosimFixture fixture) : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-cosim-out-{Environment.ProcessId}-{Guid.NewGuid():N}");

    [SkippableFact]
    public async Task The_report_json_has_snake_case_keys_for_verdict_cycles_and_counters()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(9, 10, 11, seed: 5), Dataflow.Ws);

        // Act
        var report = await session.RunAsync(program);
        using var json = JsonDocument.Parse(CosimReportJson.Serialize(report));

        // Assert
        var root = json.RootElement;
        Assert.True(root.GetProperty("match").GetBoolean());
        Assert.Equal("done", root.GetProperty("status").GetString());
        Assert.Equal(report.Cycles, root.GetProperty("cycles").GetInt64());
        Assert.Equal(9 * 10 * 11, root.GetProperty("macs").GetInt64());
        Assert.Equal(9 * 10 * 11 / 16.0, root.GetProperty("ideal_cycles").GetDouble(), 9);
        Assert.InRange(root.GetProperty("utilization").GetDouble(), 0.0001, 1.0);
        Assert.True(root.GetProperty("counters").GetProperty("macs").GetInt64() > 0);
        Assert.True(root.GetProperty("units").GetProperty("exec").GetProperty("busy").GetInt64() > 0);
        Assert.True(root.GetProperty("cycles_per_second").GetDouble() > 0);
    }

    [SkippableFact]
    public async Task A_dump_holds_every_tensor_as_npy_and_meta_json_with_the_requantization()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(6, 7, 5, seed: 9), Dataflow.Os);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { DumpDirectory = scratch });

        // Assert
        Assert.True(report.Match);
        foreach (var file in new[] { "A.npy", "B.npy", "C.rtl.npy", "C.golden.npy" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(scratch, file));
            Assert.Equal(0x93, bytes[0]);
            Assert.Equal("NUMPY", System.Text.Encoding.ASCII.GetString(bytes, 1, 5));
            Assert.Equal(0, (10 + BitConverter.ToUInt16(bytes, 8)) % 64);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(scratch, "C.golden.npy")), File.ReadAllBytes(Path.Combine(scratch, "C.rtl.npy")));
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(scratch, "meta.json")));
        var requant = meta.RootElement.GetProperty("requantization");
        Assert.Equal("half_up", requant.GetProperty("rounding").GetString());
        Assert.True(requant.GetProperty("multiplier").GetInt64() > 0);
        Assert.Equal(127, requant.GetProperty("saturation_max").GetInt32());
        var c = meta.RootElement.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "C");
        Assert.Equal([6, 7], c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("int8", c.GetProperty("dtype").GetString());
    }

    [SkippableFact]
    public async Task A_trace_request_writes_an_fst_waveform_and_keeps_the_bits()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(3, 5, 4, seed: 2), Dataflow.Ws);
        Directory.CreateDirectory(scratch);
        var trace = Path.Combine(scratch, "run.fst");

        // Act
        var report = await session.RunAsync(program, new CosimOptions { TracePath = trace });

        // Assert
        Assert.True(report.Match, CosimReportJson.Serialize(report));
        Assert.True(new FileInfo(trace).Length > 1000);
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
