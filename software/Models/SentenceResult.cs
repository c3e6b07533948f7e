namespace HwGen.Models;

/// <summary>One sentence through the float re-implementation and a quantized scheme, against ONNX Runtime.</summary>
/// <param name="Text">The sentence.</param>
/// <param name="Tokens">Token count including [CLS] and [SEP].</param>
/// <param name="Truncated">True when the sentence was cut to the model's positions.</param>
/// <param name="FloatCosine">Embedding cosine, C# float pass vs ONNX Runtime.</param>
/// <param name="FloatMaxAbsError">Largest hidden-state difference, C# float pass vs ONNX Runtime.</param>
/// <param name="QuantCosine">Embedding cosine, quantized pass vs ONNX Runtime.</param>
/// <param name="Embedding">The quantized pass's embedding.</param>
/// <param name="ReferenceEmbedding">ONNX Runtime's embedding.</param>
public sealed record SentenceResult(string Text, int Tokens, bool Truncated, double FloatCosine, double FloatMaxAbsError, double QuantCosine, float[] Embedding, float[] ReferenceEmbedding);
