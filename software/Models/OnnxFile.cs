using Google.Protobuf;
using Onnx;

namespace HwGen.Models;

/// <summary>
/// Reads an ONNX file as untrusted input. Every check that could otherwise exhaust memory or read outside the model's
/// folder runs on the protobuf headers (dims, declared lengths, external-data entries) before any tensor is turned into
/// an array: the only large allocation before that is the file's own bytes, bounded by <see cref="MaxFileBytes"/>.
/// </summary>
public sealed class OnnxFile
{
    /// <summary>The largest model file accepted (protobuf's own limit is 2 GiB).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>The most elements one tensor may declare (1 GiB of float32).</summary>
    public const long MaxTensorElements = 1L << 28;

    /// <summary>The lowest and highest default-domain opsets the importer knows.</summary>
    public const int MinOpset = 11;

    /// <summary>The highest default-domain opset the importer knows.</summary>
    public const int MaxOpset = 17;

    private readonly Dictionary<string, TensorProto> tensors;

    private OnnxFile(string path, ModelProto model, Dictionary<string, TensorProto> tensors, long opset)
    {
        Path = path;
        Model = model;
        this.tensors = tensors;
        Opset = opset;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The parsed model (tensor payloads not yet converted).</summary>
    public ModelProto Model { get; }

    /// <summary>The default-domain opset.</summary>
    public long Opset { get; }

    /// <summary>The graph.</summary>
    public GraphProto Graph => Model.Graph;

    /// <summary>Opens and checks a model file; throws <see cref="ModelException"/> with a one-line reason when it cannot be used.</summary>
    public static OnnxFile Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new ModelException($"{path}: is a folder, not an ONNX file");
        }

        if (!File.Exists(full))
        {
            throw new ModelException($"{path}: no such model file (give a path to an .onnx file, or a model name such as 'minilm')");
        }

        var length = new FileInfo(full).Length;
        if (length == 0)
        {
            throw new ModelException($"{path}: the file is empty, not an ONNX model");
        }

        if (length > MaxFileBytes)
        {
            throw new ModelException($"{path}: {length} bytes is larger than the 2 GiB an ONNX protobuf can hold; use external data files");
        }

        ModelProto model;
        try
        {
            // Parsing from the byte array bounds every declared length by the file's size: a truncated file or a
            // length prefix larger than what follows fails here instead of allocating.
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(full));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ModelException($"{path}: not a readable ONNX file (truncated or not a protobuf: {ex.Message.TrimEnd('.')})", ex);
        }

        if (model.IrVersion <= 0 || model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new ModelException($"{path}: not an ONNX model (no IR version or no graph nodes)");
        }

        var opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinOpset || opset > MaxOpset)
        {
            throw new ModelException($"{path}: opset {opset} is not supported (the importer knows opsets {MinOpset} to {MaxOpset}); re-export the model with one of them");
        }

        var dir = System.IO.Path.GetDirectoryName(full)!;
        var tensors = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var t in model.Graph.Initializer)
        {
            CheckTensor(path, dir, t, $"initializer '{t.Name}'");
            tensors[t.Name] = t;
        }

        foreach (var n in model.Graph.Node)
        {
            foreach (var a in n.Attribute)
            {
                if (a.T is not null && (a.Type == AttributeProto.Types.AttributeType.Tensor || a.T.Dims.Count > 0 || a.T.RawData.Length > 0))
                {
                    CheckTensor(path, dir, a.T, $"constant of node '{n.Name}' ({n.OpType})");
                }
            }
        }

        return new OnnxFile(full, model, tensors, opset);
    }

    /// <summary>The initializer called <paramref name="name"/>, or null.</summary>
    public TensorProto? Initializer(string name) => tensors.GetValueOrDefault(name);

    /// <summary>Element count declared by the dims, or a <see cref="ModelException"/> when negative or too large.</summary>
    internal static long ElementCount(string path, TensorProto t, string what)
    {
        long count = 1;
        foreach (var d in t.Dims)
        {
            if (d < 0)
            {
                throw new ModelException($"{path}: {what} has a negative dimension {d}");
            }

            if (d > MaxTensorElements || count * d > MaxTensorElements)
            {
                throw new ModelException($"{path}: {what} declares dimensions [{string.Join(", ", t.Dims)}], more than {MaxTensorElements} elements: refusing to allocate it");
            }

            count *= d;
        }

        return count;
    }

    /// <summary>Bytes per element of the data types the importer reads, or 0 for others.</summary>
    internal static int ElementBytes(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => 4,
        TensorProto.Types.DataType.Int64 => 8,
        TensorProto.Types.DataType.Int32 => 4,
        TensorProto.Types.DataType.Double => 8,
        TensorProto.Types.DataType.Bool => 1,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 => 1,
        TensorProto.Types.DataType.Float16 => 2,
        _ => 0,
    };

    private static void CheckTensor(string path, string dir, TensorProto t, string what)
    {
        var count = ElementCount(path, t, what);
        var bytes = ElementBytes(t.DataType);
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!entries.TryGetValue("location", out var location) || string.IsNullOrEmpty(location))
            {
                throw new ModelException($"{path}: {what} says its data is external but names no location");
            }

            var target = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, location));
            var root = dir.EndsWith(System.IO.Path.DirectorySeparatorChar) ? dir : dir + System.IO.Path.DirectorySeparatorChar;
            if (System.IO.Path.IsPathRooted(location) || !target.StartsWith(root, StringComparison.Ordinal))
            {
                throw new ModelException($"{path}: {what} points its external data at '{location}', outside the model's folder: refusing to read it");
            }

            if (!File.Exists(target))
            {
                throw new ModelException($"{path}: {what} needs the external data file '{location}', which does not exist");
            }

            var fileLength = new FileInfo(target).Length;
            long Entry(string key, long fallback) =>
                !entries.TryGetValue(key, out var text) ? fallback
                : long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v
                : throw new ModelException($"{path}: {what} has external-data {key} '{text}', not a non-negative integer");
            var offset = Entry("offset", 0);
            var declared = Entry("length", fileLength - offset);
            if (bytes > 0 && declared != count * bytes)
            {
                throw new ModelException($"{path}: {what} declares {count} elements ({count * bytes} bytes) but its external data holds {declared} bytes");
            }

            if (offset < 0 || offset + declared > fileLength)
            {
                throw new ModelException($"{path}: {what} reads bytes {offset}..{offset + declared} of '{location}', which has only {fileLength}: the data file is truncated");
            }

            return;
        }

        if (bytes == 0)
        {
            return; // Strings and exotic types are never read as numbers; the importer rejects them where it needs numbers.
        }

        long held = t.RawData.Length > 0
            ? t.RawData.Length
            : (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => t.FloatData.Count * 4L,
                TensorProto.Types.DataType.Int64 => t.Int64Data.Count * 8L,
                TensorProto.Types.DataType.Double => t.DoubleData.Count * 8L,
                _ => t.Int32Data.Count * (long)bytes,
            };
        if (held != count * bytes)
        {
            throw new ModelException($"{path}: {what} declares dimensions [{string.Join(", ", t.Dims)}] ({count * bytes} bytes) but holds {held} bytes of data");
        }
    }

    /// <summary>Reads an external-data payload (already checked by <see cref="Open"/>).</summary>
    internal byte[] ReadExternal(TensorProto t)
    {
        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var target = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, entries["location"]));
        var offset = entries.TryGetValue("offset", out var o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
        using var stream = File.OpenRead(target);
        var length = entries.TryGetValue("length", out var l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
        var buffer = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }
}
