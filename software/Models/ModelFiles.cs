namespace HwGen.Models;

/// <summary>The files of a model: the ONNX graph and (for named models) its vocabulary.</summary>
/// <param name="Name">Model name used in reports.</param>
/// <param name="OnnxPath">The ONNX file.</param>
/// <param name="VocabPath">The WordPiece vocabulary, or null when the user gave only an ONNX path.</param>
public sealed record ModelFiles(string Name, string OnnxPath, string? VocabPath);
