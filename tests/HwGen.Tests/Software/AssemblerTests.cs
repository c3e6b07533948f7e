using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

public sealed class AssemblerTests
{
    [Fact]
    public void Symbolic_and_hex_values_assemble_to_the_expected_fields()
    {
        // Arrange
        const string Text = "load target=sp_t rows=16, cols=16 local_addr=0 dram_addr=0x1000 dram_stride=64 push_next=1 ; a comment\n";

        // Act
        var insn = Assert.Single(Assembler.Assemble(Text));

        // Assert
        Assert.Equal(Opcode.Load, insn.Opcode);
        Assert.Equal(1UL, insn["target"]);
        Assert.Equal(16UL, insn["rows"]);
        Assert.Equal(0x1000UL, insn["dram_addr"]);
        Assert.Equal(64UL, insn["dram_stride"]);
        Assert.Equal(1UL, insn["push_next"]);
        Assert.Equal(0UL, insn["pop_next"]);
    }

    [Fact]
    public void Blank_and_comment_lines_produce_no_instructions()
    {
        // Arrange
        const string Text = "\n# header\n   ; another\n\ncompute dataflow=os mode=bias rows=4 k=9 # tail\n";

        // Act
        var program = Assembler.Assemble(Text);

        // Assert
        var insn = Assert.Single(program);
        Assert.Equal(1UL, insn["dataflow"]);
        Assert.Equal(2UL, insn["mode"]);
    }

    [Theory]
    [InlineData("tiny", Dataflow.Ws)]
    [InlineData("small", Dataflow.Os)]
    public void A_compiled_program_survives_disassembly_and_reassembly_bit_for_bit(string config, Dataflow dataflow)
    {
        // Arrange
        var program = GemmCompiler.Compile(TestConfigs.Load(config), GemmWorkload.Create(21, 13, 30, relu: true), dataflow).Instructions;

        // Act
        var text = Disassembler.Format(program);
        var again = Assembler.Assemble(text);

        // Assert
        Assert.Equal(program.Count, again.Count);
        Assert.Equal(program.SelectMany(i => i.Encode()), again.SelectMany(i => i.Encode()));
        Assert.Equal(text, Disassembler.Disassemble(Assembler.AssembleToBytes(text)));
    }

    [Fact]
    public void The_canonical_form_prints_symbols_hex_addresses_and_only_the_set_flags()
    {
        // Arrange
        var insn = Instruction.Create(Opcode.Load, ("target", 2), ("rows", 3), ("cols", 4), ("local_addr", 5), ("dram_addr", 0x40), ("dram_stride", 16), ("pop_next", 1));

        // Act
        var text = Disassembler.Format(insn);

        // Assert
        Assert.Equal("load target=acc elem16=0 int4=0 rows=3 cols=4 local_addr=5 dram_addr=0x40 dram_stride=16 pop_next=1", text);
    }

    [Theory]
    [InlineData("load target=sp_t elem16=1 int4=0 rows=2 cols=3 local_addr=7 dram_addr=0x41 dram_stride=6 push_next=1", 14)]
    [InlineData("load target=sp elem16=0 int4=1 rows=2 cols=3 local_addr=7 dram_addr=0x41 dram_stride=6 push_next=1", 15)]
    [InlineData("normalize func=add causal=0 wide=1 rows=3 width=20 local_addr=4 dram_addr=0x200 dram_stride=40 mask_offset=0 pop_prev=1", 15)]
    public void The_elem16_int4_and_wide_flags_assemble_to_their_bits_and_disassemble_back(string line, int bit)
    {
        // Act
        var insn = Assert.Single(Assembler.Assemble(line));
        var view = new InstructionView(insn);

        // Assert
        Assert.Equal(line, Disassembler.Format(insn));
        Assert.True(insn.Opcode == Opcode.Load ? (bit == 14 ? view.Elem16 && !view.Int4 : view.Int4 && !view.Elem16) : view.Wide);
        Assert.Equal(1 << (bit - 8), insn.Encode()[1] & (1 << (bit - 8)));
    }

    [Theory]
    [InlineData("store rows=1 cols=1\nlod rows=1", 2, "unknown mnemonic 'lod'")]
    [InlineData("load rowz=3", 1, "has no field 'rowz'")]
    [InlineData("\n\nload cols=256", 3, "too wide")]
    [InlineData("compute mode=sideways", 1, "mode=sideways is not valid")]
    [InlineData("store rows", 1, "'rows' is not field=value")]
    [InlineData("store rows=1 rows=2", 1, "given twice")]
    [InlineData("config_store shift=0x", 1, "is not valid")]
    [InlineData("load opcode=2", 1, "has no field 'opcode'")]
    public void Bad_lines_are_rejected_with_the_line_number_and_the_problem(string text, int line, string problem)
    {
        // Act
        var error = Assert.Throws<AssemblyException>(() => Assembler.Assemble(text));

        // Assert
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disassembling_an_illegal_opcode_names_its_index()
    {
        // Arrange
        var code = new byte[32];
        Instruction.Create(Opcode.ConfigStore, ("multiplier", 5)).Encode().CopyTo(code, 0);

        // Act
        var text = Disassembler.Disassemble(code);

        // Assert
        Assert.Equal("config_store relu=0 shift=0 multiplier=5\n# 1: illegal opcode 0x00\n", text);
    }
}
