using HwGen.Software.IO;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>
/// Writes a run's tensors as .npy files plus <c>meta.json</c> so anyone can recheck it with numpy:
/// inputs as <c>&lt;name&gt;.npy</c> (from the initial image), outputs as <c>&lt;name&gt;.rtl.npy</c> and
/// <c>&lt;name&gt;.golden.npy</c>. meta.json holds shapes, dtypes, addresses, strides, the
/// requantization (multiplier, shift, rounding, saturation bounds) and the program's meta facts.
/// </summary>
public static class NpyDump
{
    /// <summary>Writes the dump. <paramref name="rtlDram"/> or <paramref name="goldenDram"/> may be null when that run did not happen.</summary>
    /// <returns>The files written (meta.json last).</returns>
    public static IReadOnlyList<string> Write(string directory, CompiledProgram program, byte[]? rtlDram, byte[]? goldenDram, CosimReport? report = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(program);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var tensors = new JsonArray();
        foreach (var t in program.Tensors)
        {
            var files = new JsonObject();
            void Emit(string suffix, byte[] image, string key)
            {
                var file = SafeName(t.Name) + suffix;
                var path = Path.Combine(directory, file);
                var values = t.Read(image);
                if (t.Dtype is ElementType.Int8 or ElementType.Int4)
                {
                    Npy.WriteFile(path, values.Select(v => (sbyte)v).ToArray(), t.Rows, t.Cols);
                }
                else if (t.Dtype == ElementType.Int16)
                {
                    Npy.WriteFile(path, values.Select(v => (short)v).ToArray(), t.Rows, t.Cols);
                }
                else
                {
                    Npy.WriteFile(path, values.Select(v => (int)v).ToArray(), t.Rows, t.Cols);
                }

                written.Add(path);
                files[key] = file;
            }

            if (t.Role == TensorRole.Input)
            {
                Emit(".npy", program.Dram, "data");
            }
            else
            {
                if (rtlDram is not null)
                {
                    Emit(".rtl.npy", rtlDram, "rtl");
                }

                if (goldenDram is not null)
                {
                    Emit(".golden.npy", goldenDram, "golden");
                }
            }

            foreach (var reference in program.References.Where(k => k.Tensor == t.Name))
            {
                // The exact float function of the dequantized input, in real units (float32), per output element.
                var file = SafeName(t.Name) + ".reference.npy";
                Npy.WriteFile(Path.Combine(directory, file), Array.ConvertAll(reference.Reference, v => (float)v), t.Rows, t.Cols);
                written.Add(Path.Combine(directory, file));
                files["reference"] = file;
                files["reference_kernel"] = reference.Kernel;
                files["scale"] = reference.OutputScale;
            }

            tensors.Add(new JsonObject
            {
                ["name"] = t.Name,
                ["role"] = t.Role == TensorRole.Input ? "input" : "output",
                ["shape"] = new JsonArray(t.Rows, t.Cols),
                ["dtype"] = t.Dtype switch { ElementType.Int8 => "int8", ElementType.Int4 => "int4 (unpacked to int8)", ElementType.Int16 => "int16", _ => "int32" },
                ["address"] = t.Address,
                ["stride_bytes"] = t.StrideBytes,
                ["files"] = files,
            });
        }

        var meta = new JsonObject
        {
            ["workload"] = program.Workload,
            ["program_address"] = program.ProgramAddress,
            ["instructions"] = program.Length,
            ["macs"] = program.Macs,
            ["tensors"] = tensors,
        };
        var requant = Requantization(program.Meta);
        if (requant is not null)
        {
            meta["requantization"] = requant;
        }

        var facts = new JsonObject();
        foreach (var (key, value) in program.Meta.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            facts[key] = JsonSerializer.SerializeToNode(value, value.GetType());
        }

        meta["meta"] = facts;
        if (report is not null)
        {
            meta["report"] = JsonNode.Parse(CosimReportJson.Serialize(report));
        }

        var metaPath = Path.Combine(directory, "meta.json");
        File.WriteAllText(metaPath, meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        written.Add(metaPath);
        return written;
    }

    private static JsonObject? Requantization(IReadOnlyDictionary<string, object> facts)
    {
        if (!facts.TryGetValue("multiplier", out var multiplier) || !facts.TryGetValue("shift", out var shift))
        {
            return null;
        }

        var relu = facts.TryGetValue("relu", out var r) && Convert.ToBoolean(r, CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["multiplier"] = Convert.ToInt64(multiplier, CultureInfo.InvariantCulture),
            ["shift"] = Convert.ToInt32(shift, CultureInfo.InvariantCulture),
            ["rounding"] = facts.TryGetValue("rounding", out var rounding) ? rounding.ToString() : "half_up",
            ["relu"] = relu,
            ["saturation_min"] = relu ? 0 : -128,
            ["saturation_max"] = 127,
            ["formula"] = "out = clamp((acc*multiplier + (shift ? 2^(shift-1) : 0)) >> shift, saturation_min, saturation_max)",
        };
    }

    private static string SafeName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_'));
}
