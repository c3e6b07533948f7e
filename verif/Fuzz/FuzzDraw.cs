using HwGen.Generator.Design;

namespace HwGen.Verif;

/// <summary>One drawn configuration of a campaign and every case drawn for it (a quota may run fewer).</summary>
/// <param name="Index">The configuration's place in the seed's sequence (0-based).</param>
/// <param name="Name">Its name, <c>fuzz-&lt;seed&gt;-&lt;index&gt;</c>.</param>
/// <param name="Yaml">The configuration file's text.</param>
/// <param name="Design">The resolved design.</param>
/// <param name="ConfigPath">Where the YAML goes, as the cases' reproducing commands name it.</param>
/// <param name="Cases">The cases drawn for it, in order.</param>
internal sealed record FuzzDraw(int Index, string Name, string Yaml, DesignModel Design, string ConfigPath, IReadOnlyList<FuzzCase> Cases);
