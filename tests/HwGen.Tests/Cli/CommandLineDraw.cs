using System.Globalization;

namespace HwGen.Tests.CommandLine;

/// <summary>One random command line for the CLI fuzz test.</summary>
/// <param name="Args">The arguments, command first.</param>
/// <param name="MustBeRejected">True when at least one argument is one the checks or the parser must reject.</param>
/// <param name="AllowedOutput">The one folder the run may write (a generate case's --output), or null.</param>
public sealed record CommandLineDraw(IReadOnlyList<string> Args, bool MustBeRejected, string? AllowedOutput)
{
    private sealed record Opt(string Name, Func<Random, string?> Good, Func<Random, string>? Bad, bool Flag = false);

    private static string Pick(Random r, IReadOnlyList<string> list) => list[r.Next(list.Count)];

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Draws case <paramref name="index"/>.</summary>
    public static CommandLineDraw Next(Random r, FuzzFiles files, Scratch scratch, int index)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(scratch);
        var output = Path.Combine(scratch.Root, $"out-{index}");
        string[] badInts = ["-1", "abc", "99999999999999999999", "1.5", "0x10", ""];
        Opt Config() => new("config", rr => Pick(rr, files.Configs), rr => Pick(rr, files.BadInputs));
        Opt JsonOpt() => new("--json", _ => Path.Combine(output, "r.json"), rr => files.BadOutputFile(rr, ".json"));
        Opt Range(string name, int lo, int hi, params string[] bad) => new(name, rr => Num(rr.Next(lo, hi + 1)), rr => Pick(rr, [.. bad, .. badInts]));
        var command = Pick(r, ["generate", "sim", "sim", "sim", "synth", "fuzz", "isa-doc"]);
        Opt[] options = command switch
        {
            "generate" => [Config(), new("--output", _ => output, rr => Pick(rr, files.BadOutputFolders))],
            "sim" =>
            [
                Config(),
                new("--workload", rr => Pick(rr, ["gemm:M=4,N=4,K=4", "gemm:M=0,N=4,K=4", "nope:x=1", "gemm:M=4", "gemm:M=4,N=4,K=4,zz=1", "softmax:rows=2"]), null),
                new("--program", rr => Pick(rr, files.Programs), rr => Pick(rr, files.BadInputs)),
                new("--memory", rr => Pick(rr, files.Images), rr => Pick(rr, files.BadInputs)),
                new("--dataflow", rr => Pick(rr, ["ws", "os"]), rr => Pick(rr, ["xs", "", "WS "])),
                new("--seed", rr => Num(rr.Next(0, 1000)), rr => Pick(rr, ["-1", "abc", "1e3"])),
                JsonOpt(),
                new("--dump", _ => Path.Combine(output, "dump"), rr => Pick(rr, files.BadOutputFolders)),
                new("--plot", _ => Path.Combine(output, "p.png"), rr => files.BadOutputFile(rr, ".png")),
                new("--trace", _ => null, null, Flag: true),
                new("--trace-file", _ => Path.Combine(output, "t.fst"), rr => files.BadOutputFile(rr, ".fst")),
                Range("--latency", 0, 20, "1001"),
                Range("--stall-pct", 0, 95, "96", "100"),
                Range("--jitter", 0, 8, "5000"),
                Range("--max-cycles", 1, 1_000_000, "0"),
                Range("--watchdog", 0, 100_000),
                new("--slverr", rr => Pick(rr, ["0x100:0x101:w", "a:b", "1:2:x", "5", "0x10:0x20"]), null),
            ],
            "synth" =>
            [
                Config(),
                new("--target", rr => Pick(rr, ["xilinx", "ice40", "generic"]), rr => Pick(rr, ["altera", "", "XILINX!"])),
                JsonOpt(),
                new("--output", _ => Path.Combine(output, "rtl"), rr => Pick(rr, files.BadOutputFolders)),
                new("--pnr", _ => null, null, Flag: true),
            ],
            "fuzz" =>
            [
                new("--minutes", rr => Pick(rr, ["1", "0.5", "20"]), rr => Pick(rr, ["0", "-1", "NaN", "abc", "1e9", "Infinity"])),
                new("--seed", rr => Num(rr.Next(0, 1000)), rr => Pick(rr, ["-1", "abc"])),
                Range("--cases-per-config", 1, 20, "0"),
                Range("--configs", 0, 5),
                new("--output", _ => output, rr => Pick(rr, files.BadOutputFolders)),
            ],
            _ => [],
        };

        var args = new List<string> { command };
        var rejectable = options.Where(o => o.Bad is not null).ToList();
        var bad = new HashSet<string>(StringComparer.Ordinal);
        var mustBeRejected = true;
        if (command == "generate" && r.Next(3) == 0)
        {
            // Only the configuration is random: generate may succeed, but only into its --output.
            mustBeRejected = false;
        }
        else if (command == "isa-doc" || rejectable.Count == 0 || r.Next(6) == 0)
        {
            args.Add(Pick(r, ["--bogus", "--json", "extra", "-x", "--minutes=abc"]));
        }
        else
        {
            for (var k = r.Next(1, 4); k > 0; k--)
            {
                bad.Add(Pick(r, rejectable.Select(o => o.Name).ToList()));
            }
        }

        foreach (var o in options)
        {
            var include = o.Name == "config" || bad.Contains(o.Name) || (o.Name == "--output" && command == "generate") || r.Next(3) == 0;
            if (!include)
            {
                continue;
            }

            var value = bad.Contains(o.Name) ? o.Bad!(r) : o.Good(r);
            if (o.Name != "config")
            {
                args.Add(o.Name);
            }

            if (!o.Flag)
            {
                args.Add(value!);
            }
        }

        return new CommandLineDraw(args, mustBeRejected, command == "generate" && !mustBeRejected ? output : null);
    }
}
