using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace HwGen.Software.IO;

/// <summary>
/// Writes NumPy <c>.npy</c> files, format version 1.0: magic, little-endian header length, a Python
/// dict literal header padded with spaces to a 64-byte boundary and ending in a newline, then the
/// data, little-endian, C order. Only what the dumps need: int8, int16, int32 and float32.
/// </summary>
public static class Npy
{
    /// <summary>Writes an int8 array of the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<sbyte> data, params int[] shape) => Write(stream, "|i1", data, shape);

    /// <summary>Writes an int16 array of the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<short> data, params int[] shape) => Write(stream, "<i2", data, shape);

    /// <summary>Writes an int32 array of the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<int> data, params int[] shape) => Write(stream, "<i4", data, shape);

    /// <summary>Writes a float32 array of the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, params int[] shape) => Write(stream, "<f4", data, shape);

    /// <summary>Writes an int8 array to a file.</summary>
    public static void WriteFile(string path, ReadOnlySpan<sbyte> data, params int[] shape) => WriteFile(path, "|i1", data, shape);

    /// <summary>Writes an int16 array to a file.</summary>
    public static void WriteFile(string path, ReadOnlySpan<short> data, params int[] shape) => WriteFile(path, "<i2", data, shape);

    /// <summary>Writes an int32 array to a file.</summary>
    public static void WriteFile(string path, ReadOnlySpan<int> data, params int[] shape) => WriteFile(path, "<i4", data, shape);

    /// <summary>Writes a float32 array to a file.</summary>
    public static void WriteFile(string path, ReadOnlySpan<float> data, params int[] shape) => WriteFile(path, "<f4", data, shape);

    /// <summary>The header dict text, e.g. <c>{'descr': '&lt;i4', 'fortran_order': False, 'shape': (3, 4), }</c>.</summary>
    public static string HeaderText(string descr, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = shape.Count == 1
            ? shape[0].ToString(CultureInfo.InvariantCulture) + ","
            : string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        return $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
    }

    private static void WriteFile<T>(string path, string descr, ReadOnlySpan<T> data, int[] shape)
        where T : unmanaged
    {
        using var f = File.Create(path);
        Write(f, descr, data, shape);
    }

    /// <summary>The header, then the elements little-endian (byte-swapped on a big-endian host).</summary>
    private static void Write<T>(Stream stream, string descr, ReadOnlySpan<T> data, int[] shape)
        where T : unmanaged
    {
        WriteHeader(stream, descr, shape, data.Length);
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        var size = Unsafe.SizeOf<T>();
        if (!BitConverter.IsLittleEndian && size > 1)
        {
            for (var i = 0; i < bytes.Length; i += size)
            {
                Array.Reverse(bytes, i, size);
            }
        }

        stream.Write(bytes);
    }

    private static void WriteHeader(Stream stream, string descr, int[] shape, int count)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        long product = 1;
        foreach (var s in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(s);
            product *= s;
        }

        if (product != count)
        {
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {product} elements but the data has {count}", nameof(shape));
        }

        var dict = HeaderText(descr, shape);
        const int Preamble = 10; // magic (6) + version (2) + header length (2)
        var total = Preamble + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        var bytes = new byte[Preamble + header.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), checked((ushort)header.Length));
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, Preamble);
        stream.Write(bytes);
    }
}
