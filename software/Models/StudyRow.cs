namespace HwGen.Models;

/// <summary>One line of the quantization study.</summary>
/// <param name="Scheme">The scheme.</param>
/// <param name="MeanCosine">Mean embedding cosine against ONNX Runtime.</param>
/// <param name="P5Cosine">5th percentile of the cosines.</param>
/// <param name="MinCosine">Worst sentence.</param>
/// <param name="Spearman">Spearman correlation of all pairwise similarities against ONNX Runtime's.</param>
/// <param name="PassesPerMac">Int8 array passes per useful MAC on the evaluated sentences (<see cref="ArrayCost"/>), or null for float operands.</param>
public sealed record StudyRow(QuantScheme Scheme, double MeanCosine, double P5Cosine, double MinCosine, double Spearman, double? PassesPerMac);
