namespace HwGen.Generator.Rendering;

/// <summary>One row of a documentation table handed to a template (register, counter or fault).</summary>
public sealed record DocRow(string Name, string Offset, string Access, string Description, string Code);
