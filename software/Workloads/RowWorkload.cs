namespace HwGen.Software.Workloads;

/// <summary>What every standalone row-operation workload has: a seeded Rows×Cols int32 input.</summary>
public abstract record RowWorkload
{
    /// <summary>Rows (tokens).</summary>
    public required int Rows { get; init; }

    /// <summary>Columns (channels, or keys for Softmax): the width of each row operation.</summary>
    public required int Cols { get; init; }

    /// <summary>Seed the data was drawn from.</summary>
    public required ulong Seed { get; init; }

    /// <summary>X, row-major Rows×Cols int32.</summary>
    public required int[] Input { get; init; }
}
