namespace HwGen.Models;

/// <summary>The diagonal Fisher information of each layer's head and filter masks, and the sample's mean sentence length.</summary>
/// <param name="Heads">Per layer, per head.</param>
/// <param name="Filters">Per layer, per filter.</param>
/// <param name="MeanTokens">Mean tokens of the sample's sentences (the MAC costs are taken at it).</param>
public sealed record MaskImportance(double[][] Heads, double[][] Filters, double MeanTokens)
{
    /// <summary>
    /// Per layer, per sentence and projection, the gradient of the projected embedding with respect to the layer's head
    /// masks then filter masks (the rows whose outer products average to the layer's block of the Fisher information),
    /// or null when they were not kept.
    /// </summary>
    public double[][][]? Samples { get; init; }
}
