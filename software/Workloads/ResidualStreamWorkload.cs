namespace HwGen.Software.Workloads;

/// <summary>
/// What the LayerNorm and residual-add workloads share: the seeded residual-stream tensors
/// (<see cref="ResidualStream"/>) and how they were drawn.
/// </summary>
public abstract record ResidualStreamWorkload : RowWorkload
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = ResidualStream.InputRange;

    /// <summary>Largest |R| in integer units.</summary>
    public const int ResidualRange = ResidualStream.ResidualRange;

    /// <summary>True when the residual is added (false: X alone goes through the kernel).</summary>
    public required bool HasResidual { get; init; }

    /// <summary>R, row-major Rows×Cols int32 (empty without a residual).</summary>
    public required int[] Residual { get; init; }

    /// <summary>Real scale of the residual integers.</summary>
    public required double ResidualScale { get; init; }

    /// <summary>The canonical workload text.</summary>
    public string Spec => ResidualStream.Spec(Kind, Rows, Cols, HasResidual, Seed, SpecExtra);

    /// <summary>Kind-specific parameters of <see cref="Spec"/> (",name=value..."), empty by default.</summary>
    protected virtual string SpecExtra => string.Empty;

    /// <summary>The workload kind in <see cref="Spec"/> (<c>layernorm</c>, <c>resadd</c>).</summary>
    protected abstract string Kind { get; }
}
