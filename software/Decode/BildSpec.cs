using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;

namespace HwGen.Software.Decode;

/// <summary>
/// A big-little decoding workload (BiLD, Kim et al. 2023):
/// <c>bild:small=gpt2-small,large=gpt2-medium,k=4,generate=32[,prompt=P][,layers=N|S/L][,vocab=V][,seed=S][,accept=FILE | fallback=F,rollback=R]</c>.
/// </summary>
/// <param name="Text">The workload text.</param>
/// <param name="Small">The drafting decoder's preset.</param>
/// <param name="Large">The verifying decoder's preset.</param>
/// <param name="K">Most tokens the small model drafts per verification.</param>
/// <param name="Generate">Tokens to generate after the large model's prefill choice.</param>
/// <param name="Prompt">Prompt tokens.</param>
/// <param name="SmallLayers">The small model's layers.</param>
/// <param name="LargeLayers">The large model's layers.</param>
/// <param name="Vocab">The vocabulary (shared: the models exchange token ids).</param>
/// <param name="Seed">The large model's seed (the small model's is Seed + 1); the prompt is the large model's.</param>
/// <param name="Fallback">Fallback policy: drafting stops when the small model's top probability is below this.</param>
/// <param name="Rollback">Rollback policy: a drafted token whose probability under the large model is below this is rejected.</param>
/// <param name="Trace">The acceptance trace that replaces both policies, or null.</param>
public sealed record BildSpec(string Text, string Small, string Large, int K, int Generate, int Prompt, int SmallLayers, int LargeLayers, int Vocab, long Seed,
    double Fallback, double Rollback, AcceptanceTrace? Trace)
{
    /// <summary>The workload kind.</summary>
    public const string Kind = "bild";

    /// <summary>Most drafted tokens per verification (the verification step has k + 1 rows).</summary>
    public const int MaxK = 16;

    /// <summary>The draft block length parameter (k).</summary>
    private const string BlockParameter = "k";

    private static readonly string[] Required = ["small", "large", "k", "generate"];

    private static readonly string[] Names = ["small", "large", "k", "generate", "prompt", "layers", "vocab", "seed", "accept", "fallback", "rollback"];

    /// <summary>True when <paramref name="text"/> names a big-little workload (<c>bild:...</c>).</summary>
    public static bool Is(string? text) => text is not null && text.TrimStart().StartsWith(Kind + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses and checks a workload (cheap: reads the trace, quantizes nothing).</summary>
    /// <exception cref="ArgumentException">A bad parameter or trace, in one line.</exception>
    public static BildSpec Parse(string text, long? seedOverride = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inv = CultureInfo.InvariantCulture;
        var usage = "bild:small=PRESET,large=PRESET,k=1..16,generate=N[,prompt=P][,layers=N or S/L][,vocab=V][,seed=S][,accept=FILE | fallback=0..1,rollback=0..1]";
        string Fail(string what) => $"workload '{text}': {what}";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var body = text.Trim()[(Kind.Length + 1)..];
        foreach (var raw in body.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                continue;
            }

            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException(Fail($"'{raw}' is not NAME=value; expected {usage}"));
            }

            var name = raw[..eq].Trim();
            if (!Names.Contains(name))
            {
                throw new ArgumentException(Fail($"unknown parameter '{name}' for bild; expected {usage}"));
            }

            if (!values.TryAdd(name, raw[(eq + 1)..].Trim()))
            {
                throw new ArgumentException(Fail($"parameter '{name}' is given twice"));
            }
        }

        if (Required.FirstOrDefault(n => !values.ContainsKey(n)) is { } missing)
        {
            throw new ArgumentException(Fail($"missing {missing}=; expected {usage}"));
        }

        string Preset(string role)
        {
            var p = values[role].ToLowerInvariant();
            return LayerSpec.PresetNames.Contains(p) && LayerSpec.Preset(p) is { PreLayerNorm: true, Causal: true }
                ? p : throw new ArgumentException(Fail($"{role}={values[role]} is not a causal pre-LN decoder preset (gpt2-small, gpt2-medium)"));
        }

        long Int(string name, long fallback, long min, long max)
        {
            if (!values.TryGetValue(name, out var s))
            {
                return fallback;
            }

            if (!long.TryParse(s, NumberStyles.None, inv, out var v))
            {
                throw new ArgumentException(Fail($"'{name}={s}' is not an integer"));
            }

            return v >= min && v <= max ? v : throw new ArgumentException(Fail(string.Create(inv, $"{name}={v} is out of range {min}..{max}")));
        }

        double Probability(string name, double fallback)
        {
            if (!values.TryGetValue(name, out var s))
            {
                return fallback;
            }

            return double.TryParse(s, NumberStyles.AllowDecimalPoint, inv, out var v) && v is > 0 and < 1
                ? v : throw new ArgumentException(Fail($"{name}={s} is not a probability strictly between 0 and 1 (e.g. 0.5)"));
        }

        var (small, large) = (Preset("small"), Preset("large"));
        var k = (int)Int(BlockParameter, 0, 1, MaxK);
        var generate = (int)Int("generate", 0, 1, DecodeModel.MaxContext);
        var prompt = (int)Int("prompt", 128, 1, DecodeModel.MaxContext);
        if (prompt + generate > DecodeModel.MaxContext)
        {
            throw new ArgumentException(Fail(string.Create(inv, $"prompt + generate = {prompt + generate} exceeds the context of {DecodeModel.MaxContext} tokens")));
        }

        var layerText = values.GetValueOrDefault("layers", "1");
        var layerParts = layerText.Split('/');
        var layers = layerParts.Select(p => int.TryParse(p, NumberStyles.None, inv, out var v) && v is >= 1 and <= 48 ? v : -1).ToArray();
        if (layers.Length > 2 || layers.Any(v => v < 0))
        {
            throw new ArgumentException(Fail($"layers={layerText} is not N or SMALL/LARGE with each in 1..48"));
        }

        var vocab = (int)Int("vocab", DecodeModel.Gpt2Vocab, 2, DecodeModel.Gpt2Vocab);
        var seed = seedOverride ?? Int("seed", 1, 0, uint.MaxValue - 1);
        if (seed is < 0 or >= uint.MaxValue)
        {
            throw new ArgumentException(Fail(string.Create(inv, $"seed {seed} is out of range 0..{uint.MaxValue - 1} (the small model uses seed + 1)")));
        }

        var policies = values.ContainsKey("fallback") || values.ContainsKey("rollback");
        if (values.TryGetValue("accept", out var path) && policies)
        {
            throw new ArgumentException(Fail("accept= replaces the fallback and rollback policies; give accept=FILE or fallback=/rollback=, not both"));
        }

        var trace = path is null ? null : path.Length == 0 ? throw new ArgumentException(Fail("accept= needs a trace file")) : AcceptanceTrace.Load(path, k);
        return new BildSpec(text.Trim(), small, large, k, generate, prompt, layers[0], layers[^1], vocab, seed, Probability("fallback", 0.5), Probability("rollback", 0.1), trace);
    }

    /// <summary>
    /// The two decoders: the large one (seed <see cref="Seed"/>, its prompt) and the small one (seed + 1, the same prompt),
    /// each with its own KV cache of Prompt + Generate rows, the prompt prefilled in one step, and room for the k + 1 rows
    /// of a verification (large) or the 2 rows the small model catches up after a fully accepted draft.
    /// </summary>
    /// <exception cref="ArgumentException">A bad parameter (see <see cref="DecodeModel.Check"/>).</exception>
    public (DecodeModel Small, DecodeModel Large) CreateModels()
    {
        DecodeModel Create(string preset, int layers, long seed) => DecodeModel.Create(WorkloadSpec.Parse(string.Create(CultureInfo.InvariantCulture,
            $"{preset}:prompt={Prompt},generate={Generate},layers={layers},vocab={Vocab},seed={seed},chunk={Prompt}")));
        var large = Create(Large, LargeLayers, Seed) with { MinStepRows = K + 1 };
        var small = Create(Small, SmallLayers, Seed + 1) with { MinStepRows = 2, Prompt = large.Prompt };
        return (small, large);
    }
}
