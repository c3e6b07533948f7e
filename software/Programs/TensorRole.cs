namespace HwGen.Software.Programs;

/// <summary>Whether a tensor is an input to the program or a result it produces.</summary>
public enum TensorRole
{
    /// <summary>Written into the DRAM image before the run.</summary>
    Input,

    /// <summary>Produced by the program; compared bit for bit.</summary>
    Output,
}
