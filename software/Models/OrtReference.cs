using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace HwGen.Models;

/// <summary>ONNX Runtime (CPU, float32) running the original file: the reference every HwGen number is compared with.</summary>
public sealed class OrtReference : IDisposable
{
    private readonly InferenceSession session;
    private readonly ImportedModel imported;

    /// <summary>Creates a session on the imported file (one thread: the machine is shared).</summary>
    public OrtReference(ImportedModel imported)
    {
        ArgumentNullException.ThrowIfNull(imported);
        this.imported = imported;
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        try
        {
            session = new InferenceSession(imported.Path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelException($"{imported.Path}: ONNX Runtime cannot load the file: {ex.Message}", ex);
        }
    }

    /// <summary>The last hidden state [tokens, hidden] for one sentence (no padding).</summary>
    public float[,] HiddenStates(ReadOnlySpan<int> ids)
    {
        var n = ids.Length;
        var inputs = new List<NamedOnnxValue>();
        var meta = session.InputMetadata;
        DenseTensor<long> Tensor(Func<int, long> value)
        {
            var t = new DenseTensor<long>([1, n]);
            for (var i = 0; i < n; i++)
            {
                t[0, i] = value(i);
            }

            return t;
        }

        var idArray = ids.ToArray();
        inputs.Add(NamedOnnxValue.CreateFromTensor(imported.InputIdsName, Tensor(i => idArray[i])));
        if (imported.AttentionMaskName is { } mask && meta.ContainsKey(mask))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor(mask, Tensor(_ => 1)));
        }

        if (imported.TokenTypeIdsName is { } types && meta.ContainsKey(types))
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor(types, Tensor(_ => 0)));
        }

        foreach (var extra in meta.Keys.Where(k => inputs.All(i => i.Name != k)))
        {
            // Position ids given as an input: 0..n-1.
            inputs.Add(NamedOnnxValue.CreateFromTensor(extra, Tensor(i => i)));
        }

        using var results = session.Run(inputs, [imported.HiddenStateOutput]);
        var output = results[0].AsTensor<float>();
        var hidden = output.Dimensions[^1];
        var h = new float[n, hidden];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < hidden; j++)
            {
                h[i, j] = output[0, i, j];
            }
        }

        return h;
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
