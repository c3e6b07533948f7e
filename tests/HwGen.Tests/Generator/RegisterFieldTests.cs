using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Verif;

namespace HwGen.Tests.Generator;

public sealed class RegisterFieldTests
{
    [Fact]
    public void Register_fields_fit_in_32_bits_and_do_not_overlap()
    {
        foreach (var register in IsaSpec.Registers)
        {
            var used = 0UL;
            foreach (var field in register.Fields)
            {
                Assert.InRange(field.Lsb, 0, 31);
                Assert.InRange(field.Msb, field.Lsb, 31);
                var mask = ((1UL << field.Width) - 1) << field.Lsb;
                Assert.True((used & mask) == 0, $"{register.Name}.{field.Name} overlaps another field");
                used |= mask;
            }
        }
    }

    [Fact]
    public void A_register_word_composed_from_fields_gives_each_field_back()
    {
        var hwConfig = IsaSpec.Register("HW_CONFIG");

        var word = hwConfig.Compose(("rows", 16), ("cols", 8), ("ws", 1), ("os", 0));

        Assert.Equal(0x0001_0810u, word);
        Assert.Equal(16u, hwConfig.Extract(word, "rows"));
        Assert.Equal(8u, hwConfig.Extract(word, "cols"));
        Assert.Equal(1u, hwConfig.Extract(word, "ws"));
        Assert.Equal(0u, hwConfig.Extract(word, "os"));
        Assert.Throws<ArgumentException>(() => hwConfig.Extract(word, "depth"));
    }

    [Fact]
    public void The_c_header_has_a_shift_and_mask_for_every_register_field_and_the_verilog_include_its_lsb_and_width()
    {
        var files = RtlGenerator.RenderAll(DesignResolver.LoadFile(RepoPaths.Config("tiny")), "hwgen generate");

        foreach (var register in IsaSpec.Registers)
        {
            foreach (var field in register.Fields)
            {
                var stem = $"REG_{register.Name}_{field.Name.ToUpperInvariant()}";
                var mask = ((1UL << field.Width) - 1) << field.Lsb;
                Assert.Contains($"#define HWGEN_{stem}_SHIFT {field.Lsb}u\n", files["hwgen.h"], StringComparison.Ordinal);
                Assert.Contains($"#define HWGEN_{stem}_MASK 0x{mask:X8}u ", files["hwgen.h"], StringComparison.Ordinal);
                Assert.Contains($"`define ISA_{stem}_LSB {field.Lsb} ", files["hwgen_isa.vh"], StringComparison.Ordinal);
                Assert.Contains($"`define ISA_{stem}_W {field.Width} ", files["hwgen_isa.vh"], StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_rtl_places_every_register_field_through_its_rendered_define()
    {
        var files = RtlGenerator.RenderAll(DesignResolver.LoadFile(RepoPaths.Config("tiny")), "hwgen generate");
        var rtl = string.Concat(files.Where(f => f.Key.EndsWith(".v", StringComparison.Ordinal)).Select(f => f.Value));

        foreach (var register in IsaSpec.Registers)
        {
            foreach (var field in register.Fields)
            {
                Assert.Contains($"`ISA_REG_{register.Name}_{field.Name.ToUpperInvariant()}_LSB", rtl, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_harness_diagnoses_hangs_with_the_rendered_field_positions_of_unit_status_and_tokens()
    {
        var header = HarnessParamsHeader.Render();
        var harness = string.Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "verif", "harness"), "*.*")
            .Where(p => p.EndsWith(".cpp", StringComparison.Ordinal) || p.EndsWith(".h", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText));

        foreach (var name in new[] { "UNIT_STATUS", "TOKENS" })
        {
            foreach (var field in IsaSpec.Register(name).Fields)
            {
                var constant = $"kReg{Pascal(name)}{Pascal(field.Name)}Lsb";
                Assert.Contains($"constexpr int {constant} = {field.Lsb};", header, StringComparison.Ordinal);
                Assert.Contains(constant, harness, StringComparison.Ordinal);
            }
        }
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
}
