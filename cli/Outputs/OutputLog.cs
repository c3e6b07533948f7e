namespace HwGen.Cli.Outputs;

/// <summary>The outputs this run has finished writing, so a later failure can say what is already complete.</summary>
internal static class OutputLog
{
    private static readonly List<string> Finished = [];

    /// <summary>Records a finished output ("--json /x/report.json").</summary>
    public static void Add(string label, string path)
    {
        lock (Finished)
        {
            Finished.Add($"{label} {path}");
        }
    }

    /// <summary>Forgets every record (the CLI runs once per process; tests run it many times).</summary>
    public static void Clear()
    {
        lock (Finished)
        {
            Finished.Clear();
        }
    }

    /// <summary>"written: a, b" or "nothing else was written".</summary>
    public static string Summary()
    {
        lock (Finished)
        {
            return Finished.Count == 0 ? "nothing else was written" : "complete: " + string.Join(", ", Finished);
        }
    }
}
