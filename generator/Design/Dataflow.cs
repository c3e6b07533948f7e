namespace HwGen.Generator.Design;

/// <summary>Systolic dataflow of a compute instruction.</summary>
public enum Dataflow
{
    /// <summary>Weight-stationary.</summary>
    Ws = 0,

    /// <summary>Output-stationary.</summary>
    Os = 1,
}
