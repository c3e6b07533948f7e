namespace HwGen.Cli.Validation;

/// <summary>
/// What every argument of every command is, so one validator checks them all before any command
/// runs. A new command or file kind adds its lines here; the commands themselves hold no checks.
/// </summary>
internal static class CommandArguments
{
    private static readonly OutputFileCheck Json = new("JSON report", ".json");

    private static readonly OutputFolderCheck Folder = new();

    /// <summary>The checks of each command's arguments and options, by command name and then by argument or option name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, ArgumentCheck>> Checks { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, ArgumentCheck>>(StringComparer.Ordinal)
        {
            ["generate"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["config"] = new InputFileCheck(InputFormat.Config),
                ["--output"] = Folder,
            },
            ["sim"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["config"] = new InputFileCheck(InputFormat.Config),
                ["--program"] = new InputFileCheck(InputFormat.Program),
                ["--memory"] = new InputFileCheck(InputFormat.MemoryImage),
                ["--json"] = Json,
                ["--dump"] = Folder,
                ["--plot"] = new OutputFileCheck("plot (a PNG image)", ".png"),
                ["--trace-file"] = new OutputFileCheck("FST waveform", ".fst"),
                ["--latency"] = new RangeCheck(0, 1000, "cycles"),
                ["--stall-pct"] = new RangeCheck(0, 95, "percent"),
                ["--jitter"] = new RangeCheck(0, 1000, "cycles"),
                ["--max-cycles"] = new RangeCheck(1, 1e15, "cycles"),
                ["--watchdog"] = new RangeCheck(0, 1e15, "cycles"),
            },
            ["synth"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["config"] = new InputFileCheck(InputFormat.Config),
                ["--json"] = Json,
                ["--output"] = Folder,
            },
            ["fuzz"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["--minutes"] = new RangeCheck(0.001, 60 * 24 * 7, "minutes"),
                ["--cases-per-config"] = new RangeCheck(1, 1_000_000),
                ["--cases"] = new RangeCheck(0, 100_000_000),
                ["--configs"] = new RangeCheck(0, 1_000_000),
                ["--jobs"] = new RangeCheck(1, 1024, "jobs"),
                ["--output"] = Folder,
                ["--summary"] = Json,
            },
            ["explore"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["space"] = new InputFileCheck(InputFormat.Space),
                ["--output"] = Folder,
                ["--jobs"] = new RangeCheck(1, 1024, "jobs"),
                ["--max-recheck"] = new RangeCheck(1, 10_000, "points"),
            },
            ["prune"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["--output"] = new OutputFileCheck("pruning masks JSON", ".json"),
                ["--onnx"] = new OutputFileCheck("pruned ONNX model", ".onnx"),
                ["--macs"] = new RangeCheck(0.001, 1, "(the fraction of MACs kept)"),
                ["--cycles"] = new RangeCheck(0.001, 1, "(the fraction of modelled cycles kept)"),
                ["--config"] = new InputFileCheck(InputFormat.Config),
                ["--batch-tokens"] = new RangeCheck(1, 4096, "tokens"),
                ["--calibration"] = new RangeCheck(1, 100_000, "sentences"),
                ["--projections"] = new RangeCheck(1, 1024, "projections"),
            },
            ["run"] = new Dictionary<string, ArgumentCheck>(StringComparer.Ordinal)
            {
                ["config"] = new InputFileCheck(InputFormat.Config),
                ["--text-file"] = new InputFileCheck(InputFormat.Sentences),
                ["--prune-masks"] = new InputFileCheck(InputFormat.PruneMasks),
                ["--json"] = Json,
                ["--calibration"] = new RangeCheck(1, 100_000, "sentences"),
                ["--evaluation"] = new RangeCheck(1, 100_000, "sentences"),
                ["--held-out"] = new RangeCheck(0, 100_000, "sentences"),
                ["--batch-tokens"] = new RangeCheck(1, 4096, "tokens"),
                ["--dump"] = Folder,
                ["--plot"] = new OutputFileCheck("plot (a PNG image)", ".png"),
            },
        };

    /// <summary>Folders a command writes when no option names them, and the condition (an option left out) under which it does.</summary>
    public static IReadOnlyDictionary<string, (string Folder, string? UnlessGiven)> ImplicitOutputs { get; } =
        new Dictionary<string, (string, string?)>(StringComparer.Ordinal)
        {
            ["generate"] = ("rtl-out", "--output"),
            ["sim"] = ("rtl-out", null),
            ["synth"] = ("rtl-out", "--output"),
            ["explore"] = ("explore-out", "--output"),
        };
}
