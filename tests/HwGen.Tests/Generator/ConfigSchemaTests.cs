using HwGen.Generator.Config;
using HwGen.Generator.Design;

namespace HwGen.Tests.Generator;

public sealed class ConfigSchemaTests
{
    [Fact]
    public void The_readme_configuration_reference_is_the_one_rendered_from_the_key_table()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

        var onDisk = ConfigReference.Extract(readme);

        Assert.Equal(ConfigReference.Markdown(), onDisk);
    }

    [Fact]
    public void Every_key_of_the_table_is_in_the_resolved_yaml_in_table_order()
    {
        var yaml = DesignResolver.ResolvedYaml(DesignResolver.LoadFile(RepoPaths.Config("default")));

        var at = 0;
        foreach (var key in ConfigSchema.Keys)
        {
            var next = yaml.IndexOf((key.Section.Length > 0 ? "  " : string.Empty) + key.Leaf + ": ", at, StringComparison.Ordinal);
            Assert.True(next >= at, $"{key.Path} missing or out of order in the resolved YAML");
            at = next;
        }
    }

    [Fact]
    public void Every_key_path_is_unique_and_every_default_lies_in_its_own_range()
    {
        Assert.Equal(ConfigSchema.Keys.Count, ConfigSchema.Keys.Select(k => k.Path).Distinct(StringComparer.Ordinal).Count());
        foreach (var key in ConfigSchema.Keys.OfType<IntKey>().Where(k => k.Default is not null))
        {
            key.Resolve(key.Default, _ => throw new InvalidOperationException(), out var error);
            Assert.True(error is null, $"{key.Path}: default {key.Default} is invalid: {error}");
        }
    }

    [Theory]
    [InlineData("array.tile_rows", "0", "must be between 1 and 64")]
    [InlineData("queues.exec", "6", "must be a power of two")]
    [InlineData("requant.digit_bits", "3", "must be one of 1, 2, 4, 8, 16, 32")]
    [InlineData("counters.set", "some", "must be one of all, cycles")]
    [InlineData("units.gelu", "1", "must be true or false")]
    public void A_value_outside_the_table_is_an_error_at_its_path(string path, string value, string message)
    {
        var (section, leaf) = (path[..path.IndexOf('.', StringComparison.Ordinal)], path[(path.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        var yaml = $"name: t\narray:\n  rows: 4\n  cols: 4\n{(section == "array" ? string.Empty : section + ":\n")}  {leaf}: {value}\n";

        var ex = Assert.Throws<ConfigException>(() => DesignResolver.LoadText(yaml));

        Assert.Contains(ex.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal) && e.Line is not null);
    }
}
