namespace HwGen.Generator.Isa;

/// <summary>The four dependency-token channels (counter order of the <c>TOKENS</c> register).</summary>
public enum TokenChannel
{
    /// <summary>Load to execute.</summary>
    LoadToExecute = 0,

    /// <summary>Execute to load.</summary>
    ExecuteToLoad = 1,

    /// <summary>Execute to store.</summary>
    ExecuteToStore = 2,

    /// <summary>Store to execute.</summary>
    StoreToExecute = 3,
}
