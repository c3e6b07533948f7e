namespace HwGen.Models;

/// <summary>The result of importing a file: the model description plus how to feed and read the original file (for ONNX Runtime).</summary>
/// <param name="Model">The encoder description.</param>
/// <param name="Path">The ONNX file.</param>
/// <param name="InputIdsName">The graph input holding token ids.</param>
/// <param name="AttentionMaskName">The attention-mask input, or null.</param>
/// <param name="TokenTypeIdsName">The token-type input, or null.</param>
/// <param name="HiddenStateOutput">The graph output holding the last hidden state [batch, seq, hidden].</param>
public sealed record ImportedModel(EncoderModel Model, string Path, string InputIdsName, string? AttentionMaskName, string? TokenTypeIdsName, string HiddenStateOutput);
