using HwGen.Generator.Config;
using HwGen.Generator.Design;

namespace HwGen.Tests.Generator;

public sealed class ConfigValidationTests
{
    private const string Valid = """
        name: t
        array:
          rows: 4
          cols: 4
          tile_rows: 1
          tile_cols: 1
          dataflow: both
        scratchpad:
          kib: 4
          banks: 2
        accumulator:
          kib: 4
          banks: 2
        axi:
          data_bits: 32
          max_outstanding: 2
        queues:
          load: 4
          exec: 4
          store: 4
        """;

    /// <summary>Replaces one "key: value" line of the valid config (matched by its trimmed prefix).</summary>
    private static string With(string keyPrefix, string replacement)
    {
        var lines = Valid.Split('\n').ToList();
        var i = lines.FindIndex(l => l.TrimStart().StartsWith(keyPrefix, StringComparison.Ordinal));
        Assert.True(i >= 0, keyPrefix);
        var indent = lines[i][..(lines[i].Length - lines[i].TrimStart().Length)];
        lines[i] = replacement.Length == 0 ? string.Empty : indent + replacement;
        return string.Join('\n', lines);
    }

    public static TheoryData<string, string, string> InvalidConfigs() => new()
    {
        { With("rows:", "rows: 1"), "array.rows", "between 2 and 64" },
        { With("rows:", "rows: 65"), "array.rows", "between 2 and 64" },
        { With("rows:", "rows: four"), "array.rows", "must be an integer" },
        { With("rows:", "rows: '4'"), "array.rows", "must be an integer" },
        { With("rows:", "rows: 4.5"), "array.rows", "must be an integer" },
        { With("rows:", "rows: [4]"), "array.rows", "must be an integer" },
        { With("rows:", ""), "array.rows", "is required" },
        { With("cols:", "cols: 0"), "array.cols", "between 2 and 64" },
        { With("cols:", ""), "array.cols", "is required" },
        { With("tile_rows:", "tile_rows: 3"), "array.tile_rows", "must divide array.rows" },
        { With("tile_cols:", "tile_cols: 0"), "array.tile_cols", "between 1 and 64" },
        { With("tile_cols:", "tile_cols: 8"), "array.tile_cols", "must divide array.cols" },
        { With("dataflow:", "dataflow: wos"), "array.dataflow", "one of ws, os, both" },
        { With("dataflow:", "dataflow: 3"), "array.dataflow", "one of ws, os, both" },
        { With("kib: 4", "kib: 3"), "scratchpad.kib", "power of two" },
        { With("kib: 4", "kib: 0"), "scratchpad.kib", "between 1 and 4096" },
        { With("banks: 2", "banks: 3"), "scratchpad.banks", "power of two" },
        { With("banks: 2", "banks: 64"), "scratchpad.banks", "between 1 and 32" },
        { With("data_bits:", "data_bits: 48"), "axi.data_bits", "power of two" },
        { With("data_bits:", "data_bits: 1024"), "axi.data_bits", "between 32 and 512" },
        { With("max_outstanding:", "max_outstanding: 0"), "axi.max_outstanding", "between 1 and 32" },
        { With("load:", "load: 3"), "queues.load", "power of two" },
        { With("exec:", "exec: 0"), "queues.exec", "between 1 and 256" },
        { With("store:", "store: 512"), "queues.store", "between 1 and 256" },
        { Valid + "\nrequant:\n  lanes: 3", "requant.lanes", "must divide array.cols" },
        { Valid + "\nrequant:\n  digit_bits: 3", "requant.digit_bits", "one of 1, 2, 4, 8, 16, 32" },
        { Valid + "\ncounters:\n  bits: 8", "counters.bits", "between 16 and 64" },
        { Valid + "\ncounters:\n  set: some", "counters.set", "one of all, cycles" },
        { With("tile_cols:", "tile_cols: 1\n  dsp_packing: true"), "array.dsp_packing", "tile_cols must be even" },
        { With("tile_cols:", "tile_cols: 2\n  dsp_packing: true\n  multiplier: logic"), "array.dsp_packing", "needs array.multiplier: dsp" },
        { With("dataflow:", "dataflow: wos\n  multiplier: lut"), "array.multiplier", "one of dsp, logic" },
        { With("dataflow:", "dataflow: ws\n  int4_pairs: true"), "array.int4_pairs", "need array.dataflow os or both" },
        { With("tile_rows:", "tile_rows: 4\n  int4_pairs: true"), "array.int4_pairs", "even number of tile rows" },
        { With("dataflow:", "dataflow: both\n  int4_pairs: 1"), "array.int4_pairs", "true or false" },
        { Valid.Replace("kib: 4\n  banks: 2\naccumulator", "kib: 4\n  banks: 2\n  transposed_load: false\naccumulator", StringComparison.Ordinal), "scratchpad.transposed_load", "dataflow both needs it" },
        { With("name:", "name: 'bad name!'"), "name", "letters, digits" },
        { With("name:", ""), "name", "is required" },
        { With("tile_rows:", "tile_row: 1"), "array.tile_row", "unknown key" },
        { Valid + "\nextra: 1", "extra", "unknown key" },
        { Valid + "\nunits:\n  softmax: 1", "units.softmax", "true or false" },
        { Valid + "\nunits:\n  rmsnorm: true", "units.rmsnorm", "unknown key" },
        { With("rows:", "rows: 4\n  rows: 8"), "", "Duplicate key" },
        { Valid.Replace("array:\n  rows: 4\n  cols: 4\n  tile_rows: 1\n  tile_cols: 1\n  dataflow: both", "array: 4", StringComparison.Ordinal), "array", "must be a mapping" },
        { With("kib: 4", "kib: 2").Replace("rows: 4", "rows: 32", StringComparison.Ordinal).Replace("cols: 4", "cols: 32", StringComparison.Ordinal), "scratchpad.kib", "are needed" },
        { With("rows:", "rows: 64").Replace("cols: 4", "cols: 64", StringComparison.Ordinal), "accumulator.kib", "are needed" },
        { With("banks: 2", "banks: 32").Replace("rows: 4", "rows: 16", StringComparison.Ordinal).Replace("cols: 4", "cols: 16", StringComparison.Ordinal), "scratchpad.banks", "smaller than one" },
        { Valid.Replace("accumulator:\n  kib: 4\n  banks: 2", "accumulator:\n  kib: 4\n  banks: 8", StringComparison.Ordinal).Replace("rows: 4", "rows: 16", StringComparison.Ordinal).Replace("cols: 4", "cols: 16", StringComparison.Ordinal), "accumulator.banks", "smaller than one" },
        { Valid.Replace("accumulator:\n  kib: 4", "accumulator:\n  kib: 6", StringComparison.Ordinal), "accumulator.kib", "power of two" },
        { With("kib: 4", "kib: 4096").Replace("rows: 4", "rows: 2", StringComparison.Ordinal).Replace("cols: 4", "cols: 2", StringComparison.Ordinal), "scratchpad.kib", "the ISA addresses at most" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_configurations_are_rejected_with_the_key_path_and_the_rule(string yaml, string path, string rule)
    {
        // Act
        var ex = Assert.Throws<ConfigException>(() => DesignResolver.LoadText(yaml, "test.yaml"));

        // Assert
        Assert.Contains(ex.Errors, e => e.Path == path && e.Message.Contains(rule, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_not_just_the_first()
    {
        var yaml = With("rows:", "rows: 1").Replace("kib: 4", "kib: 5", StringComparison.Ordinal).Replace("load: 4", "lod: 4", StringComparison.Ordinal);

        var ex = Assert.Throws<ConfigException>(() => DesignResolver.LoadText(yaml));

        Assert.Contains(ex.Errors, e => e.Path == "array.rows");
        Assert.Contains(ex.Errors, e => e.Path == "scratchpad.kib");
        Assert.Contains(ex.Errors, e => e.Path == "queues.lod");
    }

    [Fact]
    public void Errors_carry_the_yaml_line_of_the_offending_key()
    {
        var ex = Assert.Throws<ConfigException>(() => DesignResolver.LoadText(With("rows:", "rows: 1")));

        Assert.Equal(3, Assert.Single(ex.Errors).Line);
    }

    [Fact]
    public void Malformed_yaml_reports_the_line()
    {
        var ex = Assert.Throws<ConfigException>(() => DesignResolver.LoadText("name: t\narray:\n  rows: [4\n  cols: 4\n"));

        var error = Assert.Single(ex.Errors);
        Assert.Contains("malformed YAML", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void A_valid_configuration_resolves_its_derived_sizes()
    {
        var d = DesignResolver.LoadText(Valid);

        Assert.Equal(4, d.SpRowBytes);
        Assert.Equal(1024, d.SpDepth);
        Assert.Equal(16, d.AccRowBytes);
        Assert.Equal(256, d.AccDepth);
        Assert.Equal(10, d.SpAddrBits);
        Assert.Equal(8, d.AccAddrBits);
        Assert.Equal(64, d.ConfigSha256.Length);
    }

    [Theory]
    [InlineData("tiny", 4, 4)]
    [InlineData("small", 8, 8)]
    [InlineData("default", 16, 16)]
    public void Shipped_configurations_resolve(string name, int rows, int cols)
    {
        var d = DesignResolver.LoadFile(RepoPaths.Config(name));

        Assert.Equal(rows, d.Rows);
        Assert.Equal(cols, d.Cols);
        Assert.Equal(name, d.Name);
    }

    [Fact]
    public void The_default_configuration_matches_gemminis_transformer_memories()
    {
        var d = DesignResolver.LoadFile(RepoPaths.Config("default"));

        Assert.Equal(256 * 1024, d.SpDepth * d.SpRowBytes);
        Assert.Equal(128 * 1024, d.AccDepth * d.AccRowBytes);
        Assert.True(d.SupportWs);
        Assert.True(d.SupportOs);
    }

    [Theory]
    [InlineData(2, 17)]
    [InlineData(4, 18)]
    [InlineData(16, 20)]
    [InlineData(64, 22)]
    public void Partial_sums_are_as_wide_as_a_column_of_int8_products_needs(int rows, int bits)
    {
        // Act
        var width = DesignResolver.PsumWidth(rows);

        // Assert: rows * 16384 (the largest product, -128 * -128) fits, one bit less would not.
        Assert.Equal(bits, width);
        Assert.True((1L << (width - 1)) - 1 >= 16384L * rows);
        Assert.True((1L << (width - 2)) - 1 < 16384L * rows);
    }

    [Theory]
    [InlineData(4, 32, 1)]
    [InlineData(1, 32, 4)]
    [InlineData(1, 8, 36)]
    [InlineData(2, 2, 72)]
    [InlineData(1, 1, 288)]
    public void The_requantizer_takes_groups_times_cycles_per_group_per_row(int lanes, int digitBits, int cycles)
    {
        // Act
        var d = DesignResolver.LoadText(Valid + $"\nrequant:\n  lanes: {lanes}\n  digit_bits: {digitBits}\n");

        // Assert
        Assert.Equal(cycles, d.RequantCyclesPerRow);
    }

    [Fact]
    public void Lean_options_default_to_the_full_design_and_are_written_to_the_resolved_config()
    {
        // Act
        var d = DesignResolver.LoadText(Valid);
        var yaml = DesignResolver.ResolvedYaml(d);

        // Assert
        Assert.Equal((false, false, 4, 32, 64, true, true), (d.DspPacking, d.MulLogic, d.RequantLanes, d.RequantDigitBits, d.CounterBits, d.CountersAll, d.TransposedLoad));
        Assert.Contains("requant:\n  lanes: 4\n  digit_bits: 32\n", yaml, StringComparison.Ordinal);
        Assert.Contains("counters:\n  bits: 64\n  set: all\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  dsp_packing: false\n  multiplier: dsp\n", yaml, StringComparison.Ordinal);
        Assert.Equal(d.ConfigSha256, DesignResolver.LoadText(yaml).ConfigSha256);
    }
}
