using System.Globalization;
using System.Security.Cryptography;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

/// <summary>
/// Behaviour fingerprints of the compiler: for a matrix of workloads, the SHA-256 of the program words and of the DRAM
/// image recorded in <c>fingerprints.txt</c>. A refactoring that keeps every fingerprint compiles identical programs on
/// identical images, so it keeps the cycle counts without simulating. Set <c>HWGEN_FINGERPRINTS_WRITE=1</c> to rewrite
/// the file after a change whose programs were co-simulated (and say so in the commit).
/// </summary>
public sealed class FingerprintTests
{
    /// <summary>(config, workload, dataflow) of every fingerprinted compilation.</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "default", "gemm:M=512,N=512,K=512", "ws" },
        { "default", "gemm:M=512,N=512,K=512", "os" },
        { "default", "gemm:M=256,N=256,K=256", "ws" },
        { "default", "gemm:M=256,N=256,K=256", "os" },
        { "default", "gemm:M=100,N=72,K=200", "ws" },
        { "default", "gemm:M=100,N=72,K=200", "os" },
        { "default", "gemm+gelu:M=200,N=300,K=150", "ws" },
        { "small", "gemm:M=256,N=256,K=256", "ws" },
        { "small", "gemm:M=256,N=256,K=256", "os" },
        { "tiny", "gemm:M=64,N=64,K=64", "ws" },
        { "tiny", "gemm:M=64,N=64,K=64", "os" },
        { "ice40", "gemm:M=100,N=72,K=200", "ws" },
        { "tiny", "gemm:M=100,N=77,K=45", "ws" },
        { "tiny", "gemm:M=100,N=77,K=45", "os" },
        { "small", "gemm:M=100,N=77,K=45", "ws" },
        { "small", "gemm:M=100,N=77,K=45", "os" },
        { "small", "gemm+gelu:M=64,N=80,K=48", "ws" },
        { "small", "softmax:rows=40,cols=100", "ws" },
        { "small", "softmax:rows=40,cols=100,causal=1", "ws" },
        { "small", "layernorm:rows=40,cols=200,residual=1", "ws" },
        { "small", "layernorm:rows=40,cols=200,residual=0", "ws" },
        { "small", "resadd:rows=40,cols=200,residual=0", "ws" },
        { "small", "resadd:rows=40,cols=200,residual=1", "ws" },
        { "small", "gelu:rows=40,cols=200", "ws" },
        { "tiny", "softmax:rows=20,cols=50", "ws" },
        { "tiny", "layernorm:rows=20,cols=50,residual=1", "ws" },
        { "small", "bert-tiny:seq=64", "ws" },
        { "small", "bert-tiny:seq=32,layers=2", "ws" },
        { "default", "bert-base:seq=128", "ws" },
        { "default", "gpt2-small:seq=128", "ws" },
        { "default", "vit-b16", "ws" },
        { "default", "bert-large:seq=128", "ws" },
    };

    private static string FilePath => Path.Combine(TestConfigs.RepoRoot, "tests", "HwGen.Tests", "Software", "fingerprints.txt");

    [Fact]
    public void Every_fingerprinted_workload_compiles_to_its_recorded_program_and_dram_image()
    {
        // Arrange
        var expected = File.Exists(FilePath)
            ? File.ReadAllLines(FilePath).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(' ')).ToDictionary(p => p[0], p => (p[1], p[2]), StringComparer.Ordinal)
            : [];
        var lines = new List<string> { "# key program-sha256 dram-sha256 (tests/HwGen.Tests/Software/FingerprintTests.cs)" };
        var mismatches = new List<string>();

        // Act
        foreach (var row in Cases)
        {
            var (config, workload, dataflow) = ((string)row[0], (string)row[1], (string)row[2]);
            var key = $"{config}|{workload}|{dataflow}";
            var (program, dram) = Fingerprint(Compile(TestConfigs.Load(config), workload, dataflow == "ws" ? Dataflow.Ws : Dataflow.Os));
            lines.Add($"{key} {program} {dram}");
            if (!expected.TryGetValue(key, out var e) || e != (program, dram))
            {
                mismatches.Add(key);
            }
        }

        // The current fingerprints, to diff against the recorded ones.
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "hwgen-fingerprints.actual.txt"), lines);
        if (Environment.GetEnvironmentVariable("HWGEN_FINGERPRINTS_WRITE") == "1")
        {
            File.WriteAllLines(FilePath, lines);
            return;
        }

        // Assert
        Assert.Equal(string.Empty, string.Join(" ", mismatches));
    }

    private static CompiledProgram Compile(DesignModel d, string workload, Dataflow dataflow) =>
        WorkloadCompiler.Compile(d, WorkloadSpec.Parse(workload), dataflow);

    /// <summary>Hex SHA-256 of the encoded instructions (with the program address) and of the whole DRAM image.</summary>
    private static (string Program, string Dram) Fingerprint(CompiledProgram p)
    {
        using var words = new MemoryStream();
        words.Write(BitConverter.GetBytes(p.ProgramAddress));
        foreach (var insn in p.Instructions)
        {
            words.Write(insn.Encode());
        }

        return (Convert.ToHexStringLower(SHA256.HashData(words.ToArray())), Convert.ToHexStringLower(SHA256.HashData(p.Dram))
            + "/" + p.Dram.Length.ToString(CultureInfo.InvariantCulture));
    }
}
