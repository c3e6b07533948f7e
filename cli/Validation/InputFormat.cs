using System.Text;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;

namespace HwGen.Cli.Validation;

/// <summary>
/// The shape an input file must have: a size limit and a format check on its bytes. New kinds of
/// input (model files, space files) add one instance here and one line in <see cref="CommandArguments"/>.
/// </summary>
/// <param name="Description">What the file is, for messages ("configuration YAML").</param>
/// <param name="MaxBytes">Largest accepted size.</param>
/// <param name="Format">Why the bytes are not of this format, or null when they are.</param>
internal sealed record InputFormat(string Description, long MaxBytes, Func<byte[], string?> Format)
{
    /// <summary>Largest memory image the co-simulation loads: the DRAM the harness and the golden model allocate.</summary>
    public const long MaxMemoryImageBytes = 256L * 1024 * 1024;

    /// <summary>A configuration: UTF-8 text; the keys are checked by the configuration validator afterwards.</summary>
    public static InputFormat Config { get; } = new("configuration YAML", 1024 * 1024, bytes => Text(bytes));

    /// <summary>A hand-written program: UTF-8 text that assembles.</summary>
    public static InputFormat Program { get; } = new("assembly program", 16L * 1024 * 1024, bytes => Text(bytes) ?? Assembles(bytes));

    /// <summary>Sentences for a model run, one a line: UTF-8 text.</summary>
    public static InputFormat Sentences { get; } = new("sentence list", 16L * 1024 * 1024, bytes => Text(bytes));

    /// <summary>A design space for <c>explore</c>: UTF-8 text; its keys are checked by <c>SpaceFile</c> afterwards, naming key and line.</summary>
    public static InputFormat Space { get; } = new("design-space YAML", 1024 * 1024, bytes => Text(bytes));

    /// <summary>Structured pruning masks for <c>run --prune-masks</c>: JSON of the form <c>PruneMasks</c> reads (whether they fit the model is checked once it is loaded).</summary>
    public static InputFormat PruneMasks { get; } = new("pruning masks JSON", 16L * 1024 * 1024, bytes => Text(bytes) ?? Masks(bytes));

    /// <summary>A raw DRAM image, byte 0 at address 0.</summary>
    public static InputFormat MemoryImage { get; } = new("memory image", MaxMemoryImageBytes, _ => null);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string? Text(byte[] bytes)
    {
        if (Array.IndexOf(bytes, (byte)0) is var nul and >= 0)
        {
            return $"is not a text file (a NUL byte at offset {nul})";
        }

        try
        {
            _ = StrictUtf8.GetString(bytes);
            return null;
        }
        catch (DecoderFallbackException)
        {
            return "is not UTF-8 text";
        }
    }

    private static string? Masks(byte[] bytes)
    {
        try
        {
            _ = HwGen.Models.PruneMasks.Parse(StrictUtf8.GetString(bytes), "masks");
            return null;
        }
        catch (HwGen.Models.ModelException ex)
        {
            return ex.Message;
        }
        catch (System.Text.Json.JsonException ex)
        {
            return "not JSON (" + ex.Message.Split('\n')[0] + ")";
        }
    }

    private static string? Assembles(byte[] bytes)
    {
        try
        {
            var words = AssembledProgram.Words(StrictUtf8.GetString(bytes));
            return words.Count == 0 ? "holds no instructions" : null;
        }
        catch (AssemblyException ex)
        {
            return ex.Message;
        }
    }
}
