namespace HwGen.Tests.Verif;

/// <summary>Co-simulation test classes share one <see cref="CosimFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class CosimGroup : ICollectionFixture<CosimFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "cosim";
}
