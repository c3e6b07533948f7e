using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>
/// The structured pruning of one layer: the attention heads and FFN filters it keeps, as indices into the unpruned
/// layer, ascending and without repeats (<see cref="Check"/>). A layer keeps at least one head and one filter: removing a
/// whole attention block or FFN would need a LayerNorm without a GEMM in front of it, which the layer graph does not map
/// (docs/pruning.md).
/// </summary>
/// <param name="Heads">Kept heads, ascending.</param>
/// <param name="Filters">Kept FFN filters (columns of W1, rows of W2), ascending.</param>
public sealed record LayerMask(IReadOnlyList<int> Heads, IReadOnlyList<int> Filters)
{
    /// <summary>Keeps the first <paramref name="heads"/> heads and the first <paramref name="filters"/> filters.</summary>
    public static LayerMask First(int heads, int filters) => new(Enumerable.Range(0, heads).ToArray(), Enumerable.Range(0, filters).ToArray());

    /// <summary>Keeps everything of a layer with <paramref name="heads"/> heads and <paramref name="filters"/> filters.</summary>
    public static LayerMask All(int heads, int filters) => First(heads, filters);

    /// <summary>
    /// The error in this mask for a layer of <paramref name="heads"/> heads and <paramref name="filters"/> filters, one line
    /// starting with <paramref name="where"/>; null when it is good.
    /// </summary>
    public string? Check(string where, int heads, int filters) =>
        Check(where, "head", Heads, heads) ?? Check(where, "filter", Filters, filters);

    /// <summary>True when the mask keeps everything of a layer of <paramref name="heads"/> heads and <paramref name="filters"/> filters.</summary>
    public bool KeepsAll(int heads, int filters) => Heads.Count == heads && Filters.Count == filters;

    private static string? Check(string where, string what, IReadOnlyList<int> kept, int count)
    {
        if (kept.Count == 0)
        {
            return $"{where}: keeps no {what}s; a layer needs at least one {what} (the layer graph cannot skip a whole {(what == "head" ? "attention block" : "FFN")})";
        }

        for (var i = 0; i < kept.Count; i++)
        {
            if (kept[i] < 0 || kept[i] >= count)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{where}: {what} {kept[i]} is out of range 0..{count - 1}");
            }

            if (i > 0 && kept[i] <= kept[i - 1])
            {
                return string.Create(CultureInfo.InvariantCulture, $"{where}: {what}s must be listed ascending without repeats ({kept[i - 1]} then {kept[i]})");
            }
        }

        return null;
    }
}
