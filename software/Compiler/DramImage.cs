using System.Buffers.Binary;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// The one DRAM image builder every kernel and the layer graph use. Tensors are placed in the order they are declared,
/// each region on a <see cref="RegionAlign"/>-byte boundary, rows padded to max(16, AXI bytes); outputs are pre-filled
/// with <see cref="Poison"/> so an unwritten element shows. <see cref="Build"/> places the program after the last region
/// and pads the image to a 4 KiB multiple.
/// </summary>
internal sealed class DramImage(DesignModel d)
{
    /// <summary>Byte value an output region holds before the run.</summary>
    public const byte Poison = 0xA5;

    /// <summary>Alignment of each region.</summary>
    public const int RegionAlign = 64;

    private readonly List<(TensorRegion Region, Action<byte[]> Fill)> regions = [];
    private long next;

    /// <summary>The declared tensors, in address order.</summary>
    public IReadOnlyList<TensorRegion> Tensors => regions.Select(r => r.Region).ToList();

    /// <summary>A DRAM row stride for rows of the given bytes: padded to max(16, AXI bytes).</summary>
    public long RowStride(long bytes) => Align(bytes, Math.Max(16, d.AxiDataBits / 8));

    /// <summary>
    /// An int8 tensor, row-major <paramref name="values"/>; null: an output filled with <see cref="Poison"/>
    /// (<paramref name="causalSequence"/>: see <see cref="TensorRegion.CausalSequence"/>).
    /// </summary>
    public TensorRegion Int8(string name, TensorRole role, int rows, int cols, IReadOnlyList<sbyte>? values, int causalSequence = 0) =>
        Matrix(name, role, rows, cols, ElementType.Int8, values is null ? null : (row, c, at) => row[c] = (byte)values[at], causalSequence);

    /// <summary>An int16 tensor, row-major <paramref name="values"/>; null: an output filled with <see cref="Poison"/>.</summary>
    public TensorRegion Int16(string name, TensorRole role, int rows, int cols, IReadOnlyList<short>? values) =>
        Matrix(name, role, rows, cols, ElementType.Int16,
            values is null ? null : (row, c, at) => BinaryPrimitives.WriteInt16LittleEndian(row.Slice(2 * c, 2), values[at]));

    /// <summary>
    /// A packed int4 tensor (two signed nibbles a byte, element 2i in the low nibble of byte i; ceil(cols/2) bytes a row),
    /// row-major <paramref name="values"/> in -8..7.
    /// </summary>
    /// <remarks>
    /// <paramref name="packedStride"/>: rows exactly ceil(cols/2) bytes apart (a blocked int4 matrix, whose block rows
    /// must form one contiguous run); false: the usual aligned stride.
    /// </remarks>
    public TensorRegion Int4(string name, int rows, int cols, IReadOnlyList<sbyte> values, bool packedStride = false) =>
        Matrix(name, TensorRole.Input, rows, cols, ElementType.Int4, (row, c, at) => row[c / 2] = Int4Packing.Pack(row[c / 2], c % 2, values[at]), packed: packedStride);

    /// <summary>Writes element <paramref name="at"/> (row-major index) into column <paramref name="col"/> of a DRAM row.</summary>
    private delegate void ElementWriter(Span<byte> row, int col, int at);

    /// <summary>A row-major matrix of <paramref name="type"/>: <paramref name="write"/> fills each element; null: an output filled with <see cref="Poison"/>.</summary>
    private TensorRegion Matrix(string name, TensorRole role, int rows, int cols, ElementType type, ElementWriter? write, int causalSequence = 0, bool packed = false)
    {
        var region = new TensorRegion(name, role, next, rows, cols, 0, type) { CausalSequence = causalSequence };
        var stride = packed ? region.RowBytes(cols) : RowStride(region.RowBytes(cols));
        region = region with { StrideBytes = stride };
        return Add(region, dram =>
        {
            for (var r = 0; r < rows; r++)
            {
                var row = dram.AsSpan((int)(region.Address + (r * stride)), (int)stride);
                if (write is null)
                {
                    row.Fill(Poison);
                    continue;
                }

                for (var c = 0; c < cols; c++)
                {
                    write(row, c, (r * cols) + c);
                }
            }
        });
    }

    /// <summary>An int32 input tensor, row-major <paramref name="values"/>.</summary>
    public TensorRegion Int32(string name, int rows, int cols, IReadOnlyList<int> values)
    {
        var stride = RowStride(4L * cols);
        var region = new TensorRegion(name, TensorRole.Input, next, rows, cols, stride, ElementType.Int32);
        return Add(region, dram =>
        {
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(region.Address + (r * stride) + (4L * c)), 4), values[(r * cols) + c]);
                }
            }
        });
    }

    /// <summary>
    /// Vectors as accumulator rows of COLS int32: block b of vector v at row b·count + v (so γ/β interleave as
    /// ln_affine expects, and a bias is one row per block).
    /// </summary>
    public TensorRegion Blocks(string name, IReadOnlyList<int[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        var blocks = (vectors[0].Length + d.Cols - 1) / d.Cols;
        var stride = RowStride(4L * d.Cols);
        var rows = blocks * vectors.Count;
        var region = new TensorRegion(name, TensorRole.Input, next, rows, d.Cols, stride, ElementType.Int32);
        return Add(region, dram =>
        {
            for (var v = 0; v < vectors.Count; v++)
            {
                for (var c = 0; c < vectors[v].Length; c++)
                {
                    var row = ((c / d.Cols) * vectors.Count) + v;
                    BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(region.Address + (row * stride) + (4L * (c % d.Cols))), 4), vectors[v][c]);
                }
            }
        });
    }

    /// <summary>
    /// The runnable program: the instructions placed after the last region, every region filled.
    /// </summary>
    /// <exception cref="ArgumentException">The image does not fit the design's address space.</exception>
    public CompiledProgram Build(string workload, IReadOnlyList<Instruction> program, long macs, IReadOnlyDictionary<string, object> meta,
        IReadOnlyList<KernelReference>? references = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        var addrP = Align(next, RegionAlign);
        var size = Align(addrP + ((long)program.Count * IsaSpec.InstructionBytes), 4096);
        if (size > int.MaxValue || size > (1L << d.AxiAddrBits))
        {
            throw new ArgumentException($"the DRAM image of {workload} needs {size} bytes, more than the address space of design '{d.Name}'");
        }

        var dram = new byte[size];
        foreach (var (_, fill) in regions)
        {
            fill(dram);
        }

        for (var pc = 0; pc < program.Count; pc++)
        {
            program[pc].Encode().CopyTo(dram, addrP + ((long)pc * IsaSpec.InstructionBytes));
        }

        return new CompiledProgram
        {
            Workload = workload,
            Instructions = program,
            Dram = dram,
            ProgramAddress = addrP,
            Tensors = Tensors,
            Macs = macs,
            Meta = meta,
            References = references ?? [],
        };
    }

    private TensorRegion Add(TensorRegion region, Action<byte[]> fill)
    {
        regions.Add((region, fill));
        next = Align(next + (region.Rows * region.StrideBytes), RegionAlign);
        return region;
    }

    private static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
