using HwGen.Generator.Design;
using HwGen.Software.Decode;
using HwGen.Software.Programs;

namespace HwGen.Tests.Decode;

/// <summary>
/// The reference of a big-little run: each decoder on the golden model fed the accepted tokens one a step, as if it had
/// never seen a rejected draft. The run's caches and verification logits must equal it.
/// </summary>
internal static class BildCheck
{
    /// <summary>The trace of the tests: a rollback (2 drafted, the 2nd rejected), then a full acceptance (2 of 2).</summary>
    public const string Trace = "10   # drafts 2, keeps 1: rollback\n11   # drafts 2, keeps both\n";

    /// <summary>A workload of 1 small and 2 large gpt2-small layers, vocab 96, prompt 5, k = 2, 5 tokens after c0.</summary>
    public static string Workload(string tracePath) => $"bild:small=gpt2-small,large=gpt2-small,k=2,generate=5,prompt=5,layers=1/2,vocab=96,seed=3,accept={tracePath}";

    /// <summary>Writes the trace to a temporary file.</summary>
    public static string WriteTrace(string text = Trace)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bild-trace-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The rounds the trace forces.</summary>
    public static void AssertRounds(BildHost host)
    {
        Assert.Equal([(6, 2, 1, true), (8, 2, 2, false)], host.Rounds.Select(r => (r.Context, r.Drafted, r.Accepted, r.RolledBack)));
        Assert.Equal([2, 3], host.Rounds.Select(r => r.Tokens.Count));
        Assert.Equal(5 + 1 + 5, host.Tokens.Count);
        Assert.Equal(0.75, host.AcceptanceRate);
    }

    /// <summary>
    /// <paramref name="cached"/> cache rows of every layer of <paramref name="m"/> in <paramref name="dram"/> (any program
    /// of <paramref name="m"/> places them), and the logits of each kept verification row, equal a golden run of
    /// <paramref name="m"/> fed <paramref name="tokens"/> one a step.
    /// </summary>
    public static void AssertAsIfFedOneByOne(DesignModel d, DecodeModel m, IReadOnlyList<int> tokens, int cached, CompiledProgram program, byte[] dram,
        IEnumerable<(int Start, IReadOnlyList<int> Fed, IReadOnlyList<long[]> Logits)> verifications, int keptRows)
    {
        var reference = new GoldenDecodeRunner(d, m);
        var p = m.Prompt.Length;
        var logitsAt = new Dictionary<int, long[]>();
        reference.StepAsync(reference.History.Shape([p]), "prefill").GetAwaiter().GetResult();
        logitsAt[p - 1] = reference.Steps[^1].Step.Logits[^1];
        for (var pos = p; pos < cached; pos++)
        {
            reference.History.Rollback(0, pos);
            reference.History.Draft(0, [tokens[pos]]);
            reference.StepAsync(reference.History.Shape([1]), "decode").GetAwaiter().GetResult();
            logitsAt[pos] = reference.Steps[^1].Step.Logits[^1];
        }

        var (refProgram, refDram) = (reference.Steps[^1].Step.Program, reference.Steps[^1].Step.Dram);
        for (var layer = 0; layer < m.Layers.Count; layer++)
        {
            for (var row = 0; row < cached; row++)
            {
                Speculation.AssertSameRow(DecodeHost.CacheRow(refProgram, refDram, layer, row), DecodeHost.CacheRow(program, dram, layer, row));
            }
        }

        var compared = 0;
        foreach (var (start, fed, logits) in verifications)
        {
            // The rows whose fed token was kept: the pending token and the kept drafts.
            for (var i = 0; i < logits.Count && start + i < cached && tokens[start + i] == fed[i]; i++)
            {
                Assert.Equal(logitsAt[start + i], logits[i]);
                compared++;
            }
        }

        Assert.True(compared >= keptRows, $"compared {compared} verification rows, expected at least {keptRows}");
    }
}
