using System.Reflection;

namespace HwGen.Generator.Rendering;

/// <summary>The Scriban templates embedded in this assembly (copied from <c>templates/</c> at build time).</summary>
public static class TemplateStore
{
    private const string Prefix = "templates/";

    /// <summary>Template names relative to <c>templates/</c>, with forward slashes, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(TemplateStore).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..].Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Reads one template's text.</summary>
    public static string Read(string name)
    {
        var assembly = typeof(TemplateStore).Assembly;
        var resource = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.Replace('\\', '/') == Prefix + name)
            ?? throw new FileNotFoundException($"template '{name}' is not embedded in {assembly.GetName().Name}");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The generator version printed in banners.</summary>
    public static string Version { get; } =
        typeof(TemplateStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
