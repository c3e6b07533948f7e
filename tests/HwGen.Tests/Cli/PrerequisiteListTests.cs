using System.Text.RegularExpressions;

namespace HwGen.Tests.CommandLine;

/// <summary>.ci/packages, the one list build.sh and .ci/run install from, names every tool, header and font the suite uses.</summary>
public sealed partial class PrerequisiteListTests
{
    private static Dictionary<string, string> Packages() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, ".ci", "packages"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [Fact]
    public void Every_package_a_test_asks_for_by_name_is_in_the_ci_package_list()
    {
        // Arrange
        var listed = Packages();
        var asked = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .SelectMany(f => RequireCall().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        // Assert
        Assert.NotEmpty(asked);
        Assert.All(asked, p => Assert.True(listed.ContainsKey(p), $"{p} is required by a test but missing from .ci/packages"));
    }

    [Theory]
    [InlineData("zlib1g-dev", "/usr/include/zlib.h")]
    [InlineData("fonts-dejavu-core", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    [InlineData("g++", "g++")]
    [InlineData("make", "make")]
    [InlineData("verilator", "verilator")]
    [InlineData("nextpnr-ice40", "nextpnr-ice40")]
    public void Headers_fonts_and_build_tools_that_arrive_only_indirectly_are_listed_with_their_probe(string package, string probe)
    {
        // Act
        var listed = Packages();

        // Assert
        Assert.True(listed.TryGetValue(package, out var actual), $"{package} is missing from .ci/packages");
        Assert.Equal(probe, actual);
    }

    [GeneratedRegex("""Require\("[^"]+", "([^"]+)"\)""")]
    private static partial Regex RequireCall();
}
