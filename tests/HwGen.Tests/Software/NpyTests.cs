using System.Buffers.Binary;
using System.Text;
using HwGen.Software.IO;

namespace HwGen.Tests.Software;

public sealed class NpyTests
{
    [Fact]
    public void An_int32_matrix_is_written_with_a_64_byte_aligned_v1_header_and_little_endian_data()
    {
        // Arrange
        int[] data = [1, -2, 3, 0x01020304, 5, 6];
        using var stream = new MemoryStream();

        // Act
        Npy.Write(stream, data, 2, 3);
        var bytes = stream.ToArray();

        // Assert
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.StartsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", header, StringComparison.Ordinal);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Equal(10 + headerLength + 24, bytes.Length);
        Assert.Equal(0x01020304, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(10 + headerLength + 12)));
        Assert.Equal(-2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(10 + headerLength + 4)));
    }

    [Fact]
    public void One_dimensional_int8_and_float32_arrays_use_a_tuple_with_a_trailing_comma()
    {
        // Arrange
        using var i8 = new MemoryStream();
        using var f32 = new MemoryStream();

        // Act
        Npy.Write(i8, new sbyte[] { -1, 2, 3 }, 3);
        Npy.Write(f32, new float[] { 1.5f }, 1);

        // Assert
        var i8Bytes = i8.ToArray();
        Assert.Contains("'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", Encoding.ASCII.GetString(i8Bytes), StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xFF, 2, 3 }, i8Bytes[^3..]);
        var f32Bytes = f32.ToArray();
        Assert.Contains("'<f4'", Encoding.ASCII.GetString(f32Bytes), StringComparison.Ordinal);
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(f32Bytes.AsSpan(f32Bytes.Length - 4)));
    }

    [Fact]
    public void A_shape_that_does_not_match_the_data_is_rejected()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => Npy.Write(stream, new int[5], 2, 3));
    }
}
