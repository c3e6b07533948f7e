using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Numerics;

public sealed class IntegerSqrtTests
{
    /// <summary>Exact ⌊√n⌋ independent of the bit-serial routine: a float estimate corrected with 128-bit squares.</summary>
    private static ulong ReferenceFloorSqrt(ulong n)
    {
        var r = (ulong)Math.Sqrt(n);
        while ((UInt128)r * r > n)
        {
            r--;
        }

        while ((UInt128)(r + 1) * (r + 1) <= n)
        {
            r++;
        }

        return r;
    }

    public static TheoryData<ulong> EdgeCases()
    {
        var values = new SortedSet<ulong> { 0, 1, 2, 3, 4, 5, 8, 9, 10, ulong.MaxValue, (ulong)long.MaxValue, 1UL << 62, (1UL << 62) - 1, 1UL << 63 };
        foreach (var k in new ulong[] { 2, 3, 255, 256, 65535, 65536, 46341, 3037000499, 4294967295, 1UL << 31, (1UL << 31) + 1 })
        {
            values.Add(k * k);
            values.Add((k * k) - 1);
            values.Add((k * k) + 1);
        }

        // A set: xunit skips theory rows whose arguments repeat.
        return new TheoryData<ulong>(values);
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Bit_serial_square_root_is_exact_on_edge_cases(ulong n)
    {
        // Arrange
        var expected = ReferenceFloorSqrt(n);

        // Act
        var actual = IntegerSqrt.FloorSqrt(n);

        // Assert
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1, 63)]
    [InlineData(2, 40)]
    [InlineData(3, 20)]
    public void Bit_serial_square_root_is_exact_for_random_radicands(int seed, int bits)
    {
        // Arrange
        var rng = new Random(seed);
        var inputs = new ulong[20000];
        for (var i = 0; i < inputs.Length; i++)
        {
            var b = 1 + rng.Next(bits);
            inputs[i] = (ulong)rng.NextInt64() & ((1UL << b) - 1);
        }

        // Act
        var mismatches = inputs.Where(n => IntegerSqrt.FloorSqrt(n) != ReferenceFloorSqrt(n)).ToList();

        // Assert
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Bit_serial_square_root_satisfies_the_floor_property_around_every_square_below_2_to_the_20()
    {
        // Arrange
        var failures = new List<ulong>();

        // Act
        for (ulong k = 0; k < (1UL << 10); k++)
        {
            foreach (var n in new[] { k * k, (k * k) + k, ((k + 1) * (k + 1)) - 1 })
            {
                if (IntegerSqrt.FloorSqrt(n) != k)
                {
                    failures.Add(n);
                }
            }
        }

        // Assert
        Assert.Empty(failures);
    }
}
