using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>The first element where the RTL's DRAM differs from the golden model's.</summary>
/// <param name="Tensor">Output tensor name, or <c>(dram)</c> for a byte outside every output tensor.</param>
/// <param name="Row">Row of the element (0 for <c>(dram)</c>).</param>
/// <param name="Col">Column of the element (byte offset for <c>(dram)</c>).</param>
/// <param name="Address">DRAM byte address of the element.</param>
/// <param name="Expected">Golden value.</param>
/// <param name="Actual">RTL value.</param>
/// <param name="DifferingElements">How many elements of the tensor differ (bytes for <c>(dram)</c>).</param>
public sealed record TensorMismatch(string Tensor, int Row, int Col, long Address, long Expected, long Actual, long DifferingElements)
{
    /// <summary>The first element of <paramref name="region"/> where <paramref name="actual"/> differs from
    /// <paramref name="expected"/> (both row-major, as <see cref="TensorRegion.Read"/> returns them), with the count of
    /// differing elements; null when they are equal.</summary>
    public static TensorMismatch? First(TensorRegion region, string name, long[] expected, long[] actual)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var first = -1L;
        long count = 0;
        for (long i = 0; i < expected.LongLength; i++)
        {
            if (expected[i] != actual[i])
            {
                count++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }

        if (first < 0)
        {
            return null;
        }

        var row = (int)(first / region.Cols);
        var col = (int)(first % region.Cols);
        return new TensorMismatch(name, row, col, region.Address + (row * region.StrideBytes) + region.ByteOffset(col), expected[first], actual[first], count);
    }
}
