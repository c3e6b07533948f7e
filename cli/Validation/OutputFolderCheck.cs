namespace HwGen.Cli.Validation;

/// <summary>An output folder: not a file or device, and a file can be created in it (missing folders are created for the probe and removed again).</summary>
internal sealed class OutputFolderCheck : ArgumentCheck
{
    public override string? Problem(string value) =>
        PathRules.Shape(value) ?? PathRules.Special(value) ?? OutputProbe.FolderAccepts(value);
}
