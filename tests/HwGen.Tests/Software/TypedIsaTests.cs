using System.Reflection;
using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Tests.Software;

/// <summary>
/// The typed program IR: the C# enums of the ISA's coded fields agree with <see cref="IsaSpec"/>, and no source under
/// software/ names an instruction field by a string or writes a coded field by number.
/// </summary>
public sealed partial class TypedIsaTests
{
    [Fact]
    public void The_field_value_enums_have_exactly_the_values_and_names_IsaSpec_defines()
    {
        // Arrange
        static void Same<T>(IReadOnlyList<(string Name, int Value)> spec, params (string Name, T Value)[] expected)
            where T : struct, Enum
        {
            Assert.Equal(spec.Select(s => (s.Name, s.Value)), expected.Select(e => (e.Name, Convert.ToInt32(e.Value, System.Globalization.CultureInfo.InvariantCulture))));
            Assert.Equal(spec.Count, Enum.GetValues<T>().Length);
        }

        // Act and Assert
        Same(IsaSpec.LoadTargets, ("sp", LoadTarget.Scratchpad), ("sp_t", LoadTarget.ScratchpadTransposed), ("acc", LoadTarget.Accumulator));
        Same(IsaSpec.ComputeModes, ("overwrite", ComputeMode.Overwrite), ("accumulate", ComputeMode.Accumulate), ("bias", ComputeMode.Bias));
        Same(IsaSpec.StoreFuncs, ("requant", StoreFunc.Requantize), ("gelu", StoreFunc.Gelu), ("gelu_col", StoreFunc.GeluColumn), ("requant_row", StoreFunc.RequantizeRow));
        Same(IsaSpec.NormalizeFuncs, ("softmax", NormalizeFunc.Softmax), ("layernorm", NormalizeFunc.LayerNorm), ("add", NormalizeFunc.Add), ("softmax_late", NormalizeFunc.SoftmaxLate));
        Same(IsaSpec.Dataflows, ("ws", Dataflow.Ws), ("os", Dataflow.Os));
        Assert.Equal(IsaSpec.PostRegisters.Select(r => (r.Name, r.Index)),
            Enum.GetValues<PostRegister>().Select(r => (Snake(r.ToString()), (int)r)));
    }

    [Fact]
    public void Every_field_name_constant_is_a_field_of_IsaSpec_and_the_token_flags_follow_the_common_fields()
    {
        // Arrange
        var names = IsaSpec.CommonFields.Concat(IsaSpec.Formats.SelectMany(f => f.Fields)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var constants = typeof(IsaFields).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        // Act
        var unknown = constants.Where(c => !names.Contains(c)).ToList();

        // Assert
        Assert.Empty(unknown);
        Assert.Equal(names.Order(StringComparer.Ordinal), constants.Order(StringComparer.Ordinal));
        Assert.Equal(IsaSpec.CommonFields.Skip(1).Select(f => f.Name), IsaFields.TokenFields);
        Assert.Equal(IsaSpec.CommonFields.Skip(1).Select(f => f.Lsb), IsaFields.TokenFields.Select((_, i) => IsaSpec.CommonFields[1].Lsb + i));
    }

    [Fact]
    public void The_typed_view_reads_what_the_IR_builders_wrote()
    {
        // Arrange
        var load = PendingInstruction.Load(LoadTarget.ScratchpadTransposed, 3, 4, 5, 0x40, 16);
        load.Set(Tokens.PopNext | Tokens.PushNext);
        var norm = PendingInstruction.Normalize(NormalizeFunc.Softmax, 2, 100, 7, 0x80, 128, causal: true, maskOffset: 9);

        // Act
        var l = new InstructionView(load.Build());
        var n = new InstructionView(norm.Build());

        // Assert
        Assert.Equal((LoadTarget.ScratchpadTransposed, 3L, 4L, 5L, 0x40L, 16L), (l.Target, l.Rows, l.Cols, l.LocalAddr, l.DramAddr, l.DramStride));
        Assert.Equal([TokenChannel.ExecuteToLoad], l.Pops);
        Assert.Equal([TokenChannel.LoadToExecute], l.Pushes);
        Assert.Equal((NormalizeFunc.Softmax, true, 9L, 100L), (n.NormalizeFunc, n.Causal, n.MaskOffset, n.Width));
    }

    [Fact]
    public void No_source_under_software_names_an_instruction_field_by_string()
    {
        // Arrange
        var root = Path.Combine(TestConfigs.RepoRoot, "software");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var forbidden = Forbidden();

        // Act
        var hits = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && forbidden.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(TestConfigs.RepoRoot, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        // Assert
        Assert.True(files.Any());
        Assert.Empty(hits);
    }

    [Fact]
    public void The_source_scan_catches_the_forms_it_forbids()
    {
        // Arrange: the same pattern, applied to lines written the old way.
        var forbidden = Forbidden();

        // Act and Assert
        Assert.Matches(forbidden, "var t = i[\"target\"];");
        Assert.Matches(forbidden, "new(Opcode.Load, (\"target\", 2))");
        Assert.Matches(forbidden, "insn.Get64(\"rows\")");
        Assert.Matches(forbidden, "IsaSpec.PostRegisters.First(r => r.Name == \"ln_affine\")");
        Assert.DoesNotMatch(forbidden, "            [\"rows\"] = rows,");
        Assert.DoesNotMatch(forbidden, "(\"rows\", true, 1, 65535),");
        Assert.DoesNotMatch(forbidden, "spec.Get(\"causal\", 0)");
    }

    /// <summary>Field reads by name (Get64/Get32, an indexer), name/value pairs, string token flags, register look-ups by name, untyped construction.</summary>
    private static Regex Forbidden()
    {
        var fields = string.Join("|", IsaSpec.CommonFields.Concat(IsaSpec.Formats.SelectMany(f => f.Fields)).Select(f => Regex.Escape(f.Name)).Distinct());
        return new Regex(
            $@"\.Get(64|32)\(""|[\w\)\]]\[""({fields})""\]|(?<!\.Get)\(""({fields})"",(?>\s*)(?!true|false)|\.Set\(""|PostRegisters\.(First|Single)\(|Instruction\.Create\(|new PendingInstruction\(",
            RegexOptions.CultureInvariant);
    }

    private static string Snake(string pascal) => SnakeRegex().Replace(pascal, "$1_$2").ToLowerInvariant();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex SnakeRegex();
}
