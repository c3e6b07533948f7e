using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>
/// Minimal NumPy .npy (format 1.0) writer for 2-D int8/int32 arrays. Temporary: replace with
/// software/IO/Npy.cs once the software side provides it.
/// </summary>
internal static class NpyWriter
{
    public static void Write(string path, long[] values, int rows, int cols, ElementType dtype)
    {
        var descr = dtype == ElementType.Int8 ? "|i1" : "<i4";
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
        var headerLength = dict.Length + 1;
        var pad = (64 - ((10 + headerLength) % 64)) % 64;
        var header = dict + new string(' ', pad) + "\n";
        var elementBytes = dtype == ElementType.Int8 ? 1 : 4;
        var bytes = new byte[10 + header.Length + (values.Length * elementBytes)];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), checked((ushort)header.Length));
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        var at = 10 + header.Length;
        foreach (var v in values)
        {
            if (elementBytes == 1)
            {
                bytes[at++] = unchecked((byte)(sbyte)v);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), unchecked((int)v));
                at += 4;
            }
        }

        File.WriteAllBytes(path, bytes);
    }
}
