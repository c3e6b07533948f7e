using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;

namespace HwGen.Software.Golden;

/// <summary>The golden model's dispatch checks: field ranges, unit presence and local-memory ranges, in fault priority order.</summary>
public sealed partial class GoldenSimulator
{
    /// <summary>The dispatch-time checks of one instruction (everything that can be checked without DRAM).</summary>
    public (FaultCode Fault, string Detail) Check(Instruction insn)
    {
        ArgumentNullException.ThrowIfNull(insn);
        var v = new InstructionView(insn);
        return insn.Opcode switch
        {
            Opcode.Load => CheckLoad(v),
            Opcode.Store => CheckStore(v),
            Opcode.ConfigStore => CheckConfig(v),
            Opcode.ConfigPost => CheckConfigPost(v),
            Opcode.Normalize => CheckNormalize(v),
            Opcode.Compute => CheckCompute(v),
            _ => (FaultCode.IllegalOpcode, "opcode is not defined"),
        };
    }

    private static (FaultCode, string) Ok() => (FaultCode.None, string.Empty);

    private static (FaultCode, string) Bad(string why) => (FaultCode.BadField, why);

    private (FaultCode, string) SpRange(string what, long first, long count) =>
        first + count > d.SpDepth
            ? (FaultCode.SpRange, $"{what} rows {first}..{first + count - 1} exceed the scratchpad ({d.SpDepth} rows)")
            : Ok();

    private (FaultCode, string) AccRange(string what, long first, long count) =>
        first + count > d.AccDepth
            ? (FaultCode.AccRange, $"{what} rows {first}..{first + count - 1} exceed the accumulator ({d.AccDepth} rows)")
            : Ok();

    private (FaultCode, string) CheckLoad(InstructionView i)
    {
        var target = i.Target;
        var rows = i.Rows;
        var cols = i.Cols;
        var local = i.LocalAddr;
        if (target > LoadTarget.Accumulator)
        {
            return Bad($"target {(int)target} is not defined");
        }

        if (i.Int4 && CheckInt4(i) is { } int4)
        {
            return int4;
        }

        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        var width = target == LoadTarget.Accumulator ? d.Cols : d.SpRowBytes;
        if (cols == 0 || cols > width)
        {
            return Bad($"cols {cols} is not in 1..{width}");
        }

        return target switch
        {
            LoadTarget.Scratchpad => SpRange("load", local, rows),
            LoadTarget.ScratchpadTransposed when rows > d.SpRowBytes => Bad($"transposed load of {rows} rows exceeds the scratchpad row width {d.SpRowBytes}"),
            LoadTarget.ScratchpadTransposed when !d.TransposedLoad => Bad($"target sp_t needs the transposing buffer, which design '{d.Name}' lacks (scratchpad.transposed_load)"),
            LoadTarget.ScratchpadTransposed => SpRange("transposed load", local, cols),
            _ => AccRange("load", local, rows),
        };
    }

    /// <summary>An int4 load's own rules: the unpacker is built, not with elem16, only into the scratchpad (sp or sp_t).</summary>
    private (FaultCode, string)? CheckInt4(InstructionView i) =>
        !d.Int4Load ? Bad($"int4 needs the int4 unpacker, which design '{d.Name}' lacks (scratchpad.int4_load)")
        : i.Elem16 ? Bad("int4 and elem16 are both set")
        : i.Target == LoadTarget.Accumulator ? Bad("int4 loads only into the scratchpad (target sp or sp_t)")
        : null;

    /// <summary>The first checks of store and normalize: rows at least 1, then <paramref name="name"/> in 1..<paramref name="max"/>.</summary>
    private static (FaultCode, string)? RowsAnd(long rows, string name, long value, long max) =>
        rows == 0 ? Bad("rows is 0") : value == 0 || value > max ? Bad($"{name} {value} is not in 1..{max}") : null;

    private (FaultCode, string) CheckStore(InstructionView i)
    {
        var rows = i.Rows;
        if (RowsAnd(rows, "cols", i.Cols, d.Cols) is { } shape)
        {
            return shape;
        }

        var func = i.StoreFunc;
        if (func == StoreFunc.RequantizeRow && !d.UnitSoftmax)
        {
            return Bad($"func requant_row needs the Softmax unit's row-scale memory, which design '{d.Name}' lacks (units.softmax)");
        }

        if (func is StoreFunc.Gelu or StoreFunc.GeluColumn && !d.UnitGelu)
        {
            return Bad($"func {IsaSpec.StoreFuncs[(int)func].Name} needs the GELU unit, which design '{d.Name}' lacks (units.gelu)");
        }

        if (i.ColMult && (func != StoreFunc.Requantize || !d.RequantPerColumn))
        {
            return Bad(func != StoreFunc.Requantize
                ? $"col_mult needs func requant, got {IsaSpec.StoreFuncs[(int)func].Name}"
                : $"col_mult needs per-column multipliers, which design '{d.Name}' lacks (requant.per_column)");
        }

        var range = AccRange("store", i.LocalAddr, rows);
        return range.Item1 != FaultCode.None ? range
            : func == StoreFunc.GeluColumn ? AccRange("GELU column constants", Reg(PostRegister.GeluCols), 2)
            : i.ColMult ? AccRange("column multipliers", Reg(PostRegister.RequantCols), 1)
            : range;
    }

    private static (FaultCode, string) CheckConfig(InstructionView i)
    {
        if (i.Shift > Requantizer.MaxShift)
        {
            return Bad($"shift {i.Shift} exceeds {Requantizer.MaxShift}");
        }

        if (i.Multiplier > Requantizer.MaxMultiplier)
        {
            return Bad($"multiplier {i.Multiplier} is not below 2^31");
        }

        return Ok();
    }

    private (FaultCode, string) CheckNormalize(InstructionView i)
    {
        var rows = i.Rows;
        var width = i.Width;
        if (RowsAnd(rows, "width", width, IsaSpec.MaxNormalizeWidth) is { } shape)
        {
            return shape;
        }

        var func = i.NormalizeFunc;
        var softmax = func is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate;
        if (softmax && !d.UnitSoftmax)
        {
            return Bad($"func {IsaSpec.NormalizeFuncs[(int)func].Name} needs the Softmax unit, which design '{d.Name}' lacks (units.softmax)");
        }

        if (softmax && i.Wide)
        {
            return Bad("wide is only defined for func layernorm and add");
        }

        if (func is NormalizeFunc.LayerNorm or NormalizeFunc.Add)
        {
            return CheckLayerNorm(i, rows, width, affine: func == NormalizeFunc.LayerNorm);
        }

        return AccRange("normalize", i.LocalAddr, NormalizeBlocks(width) * rows);
    }

    /// <summary>
    /// LayerNorm's and add's extra checks: the unit, no causal mask, and the input, residual (ln_residual) and, for
    /// LayerNorm and a column-mode add, γ/β (ln_affine) spans inside the accumulator. The registers are read as earlier config_post
    /// instructions left them.
    /// </summary>
    private (FaultCode, string) CheckLayerNorm(InstructionView i, long rows, long width, bool affine)
    {
        var name = affine ? "layernorm" : "add";
        if (!d.UnitLayerNorm)
        {
            return Bad($"func {name} needs the LayerNorm unit, which design '{d.Name}' lacks (units.layernorm)");
        }

        if (i.CausalField != 0)
        {
            return Bad("causal is only defined for func softmax");
        }

        var span = NormalizeBlocks(width) * rows;
        var x = AccRange("normalize", i.LocalAddr, span);
        if (x.Item1 != FaultCode.None)
        {
            return x;
        }

        var residual = Reg(PostRegister.LnResidual);
        if (residual != 0)
        {
            var r = AccRange("residual", residual - 1, span);
            if (r.Item1 != FaultCode.None)
            {
                return r;
            }
        }

        // add reads ln_affine's rows only in column mode (ln_in_shift ≠ 0: m_j and A_j).
        var perBlock = Reg(PostRegister.LnInShift) == 0 ? 2 : 3;
        return affine || perBlock == 3 ? AccRange("LayerNorm gamma/beta", Reg(PostRegister.LnAffine), perBlock * NormalizeBlocks(width)) : Ok();
    }

    /// <summary>Accumulator rows one logical row of a normalize spans: ceil(width / COLS).</summary>
    private long NormalizeBlocks(long width) => (width + d.Cols - 1) / d.Cols;

    private static (FaultCode, string) CheckConfigPost(InstructionView i)
    {
        var index = i.RegIndex;
        var value = i.Value;
        foreach (var (name, at, max, _) in IsaSpec.PostRegisters)
        {
            if (at == index)
            {
                return value > (ulong)max ? Bad($"{name} = {value} exceeds its maximum {max}") : Ok();
            }
        }

        return Bad($"config_post register {index} is not defined");
    }

    private (FaultCode, string) CheckCompute(InstructionView i)
    {
        var ws = i.Dataflow == Dataflow.Ws;
        var mode = i.Mode;
        var rows = i.Rows;
        var k = i.K;
        if (!d.Supports(ws ? Dataflow.Ws : Dataflow.Os))
        {
            return Bad($"dataflow {(ws ? "ws" : "os")} is not supported by design '{d.Name}'");
        }

        if (mode > ComputeMode.Bias)
        {
            return Bad($"mode {(int)mode} is not defined");
        }

        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        if (k == 0)
        {
            return Bad("k is 0");
        }

        if (ws && k > d.Rows)
        {
            return Bad($"weight-stationary k {k} exceeds the array rows {d.Rows}");
        }

        if (!ws && rows > d.Rows)
        {
            return Bad($"output-stationary rows {rows} exceeds the array rows {d.Rows}");
        }

        if (i.Int4Pairs && (ws || !d.Int4Pairs || rows > d.Rows / 2))
        {
            return Bad(ws ? "int4_pairs is an output-stationary compute, the dataflow is ws"
                : !d.Int4Pairs ? $"int4_pairs needs the paired array, which design '{d.Name}' lacks (array.int4_pairs)"
                : $"int4_pairs rows {rows} exceeds half the array rows ({d.Rows / 2})");
        }

        var a = SpRange("A operand", i.AAddr, ws ? rows : k);
        if (a.Item1 != FaultCode.None)
        {
            return a;
        }

        var b = SpRange("B operand", i.BAddr, k);
        if (b.Item1 != FaultCode.None)
        {
            return b;
        }

        var c = AccRange("C output", i.CAddr, i.Int4Pairs ? 2 * rows : rows);
        if (c.Item1 != FaultCode.None)
        {
            return c;
        }

        return mode == ComputeMode.Bias ? AccRange("bias", i.BiasAddr, i.Int4Pairs ? 2 : 1) : Ok();
    }
}
