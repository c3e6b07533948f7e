using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;

namespace HwGen.Tests.Software;

/// <summary><c>load int4</c> on the golden model: two signed nibbles per byte, low nibble first, sign-extended into the scratchpad.</summary>
public sealed class Int4GoldenTests
{
    // 8 rows x 4 cols: SP rows of 8 bytes x 128, ACC rows of 4 int32 x 64.
    private const string MixedYaml = "name: mixed\narray:\n  rows: 8\n  cols: 4\n  dataflow: ws\nscratchpad:\n  kib: 1\n  banks: 1\naccumulator:\n  kib: 1\n  banks: 2\n";

    private const int ProgramAddress = 0x800;

    private static (GoldenResult Result, GoldenSimulator Sim) Run(DesignModel d, string asm, byte[] dram)
    {
        var code = Assembler.AssembleToBytes(asm);
        code.CopyTo(dram, ProgramAddress);
        var sim = new GoldenSimulator(d);
        return (sim.Execute(dram, ProgramAddress, code.Length / IsaSpec.InstructionBytes), sim);
    }

    /// <summary>Element e of the test data: every int4 value, -8..7, then again from -8.</summary>
    private static sbyte Value(int e) => (sbyte)((e % 16) - 8);

    /// <summary>Two rows of 7 int4 elements, packed at the odd address 0x101 with stride 5 (4 bytes a row and one spare).</summary>
    private static byte[] DramWithPackedRows()
    {
        var dram = new byte[4096];
        dram.AsSpan(0x100, 16).Fill(0xFF); // the ignored high nibble of each row's last byte and the spare byte are -1s
        for (var r = 0; r < 2; r++)
        {
            for (var e = 0; e < 7; e++)
            {
                var at = 0x101 + (r * 5) + (e / 2);
                dram[at] = Int4Packing.Pack(dram[at], e % 2, Value((r * 7) + e));
            }
        }

        return dram;
    }

    [Fact]
    public void Packing_puts_the_even_element_in_the_low_nibble_and_unpacking_sign_extends_every_value()
    {
        // Arrange
        var values = Enumerable.Range(-8, 16).Select(v => (sbyte)v).ToArray();

        // Act
        var bytes = new byte[8];
        for (var e = 0; e < 16; e++)
        {
            bytes[e / 2] = Int4Packing.Pack(bytes[e / 2], e % 2, values[e]);
        }

        var back = Enumerable.Range(0, 16).Select(e => Int4Packing.Unpack(bytes[e / 2], e % 2)).ToArray();

        // Assert
        Assert.Equal(0x98, bytes[0]); // -8 = 0x8 low, -7 = 0x9 high
        Assert.Equal(0x76, bytes[7]); // 6 low, 7 high
        Assert.Equal(values, back);
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4Packing.Pack(0, 0, 8));
        Assert.Equal(4, Int4Packing.RowBytes(7));
    }

    [Fact]
    public void Int4_loads_unpack_nibbles_into_the_scratchpad_plain_and_transposed_and_read_half_the_bytes()
    {
        // Arrange: 2 rows of 7 (an odd count: the high nibble of byte 3 is ignored) at the odd address 0x101.
        const string Asm = """
            load int4=1 rows=2 cols=7 local_addr=3 dram_addr=0x101 dram_stride=5
            load target=sp_t int4=1 rows=2 cols=7 local_addr=10 dram_addr=0x101 dram_stride=5
            """;
        var d = DesignResolver.LoadText(MixedYaml);

        // Act
        var (result, sim) = Run(d, Asm, DramWithPackedRows());

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        for (var r = 0; r < 2; r++)
        {
            for (var e = 0; e < 7; e++)
            {
                Assert.Equal(Value((r * 7) + e), sim.Scratchpad(3 + r, e));
                Assert.Equal(Value((r * 7) + e), sim.Scratchpad(10 + e, r));
            }

            Assert.Equal(0, sim.Scratchpad(3 + r, 7)); // the ignored high nibble (-1) and zero fill beyond cols
        }

        Assert.Equal(0, sim.Scratchpad(10, 2));
        Assert.Equal(2 * 2 * 4, result.DmaReadBytes);
    }

    [Fact]
    public void An_int4_load_on_a_design_without_the_unpacker_faults_with_bad_field_naming_the_key()
    {
        // Arrange
        var lean = DesignResolver.LoadText(MixedYaml.Replace("banks: 1\naccumulator", "banks: 1\n  int4_load: false\naccumulator", StringComparison.Ordinal));

        // Act
        var (result, _) = Run(lean, "load rows=1 cols=4\nload int4=1 rows=1 cols=4\n", new byte[4096]);

        // Assert
        Assert.False(lean.Int4Load);
        Assert.Equal(FaultCode.BadField, result.Fault);
        Assert.Equal(1, result.FaultPc);
        Assert.Contains("scratchpad.int4_load", result.FaultDetail, StringComparison.Ordinal);
    }
}
