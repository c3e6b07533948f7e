using System.Globalization;

namespace HwGen.Verif;

/// <summary>The store unit's busy cycles on one store-queue instruction, those overlapped by array rows, and whether it is a normalize.</summary>
public sealed record StoreActivity(long Busy, long Overlapped, bool Normalize);

/// <summary>
/// The harness's per-cycle profile of the execute unit (<c>hwgen_sim --profile</c>): for every instruction that was
/// attributed cycles, its cycles per <see cref="ExecCause"/>. An instruction index equal to the program length stands for
/// the cycles after the last execute instruction finished. The counts add up to the run's cycles.
/// </summary>
public sealed record ExecProfile
{
    /// <summary>Cycles per cause, indexed by <see cref="ExecCause"/>, per instruction index (program counter).</summary>
    public required IReadOnlyDictionary<int, long[]> ByInstruction { get; init; }

    /// <summary>
    /// The store unit's busy cycles per store-queue instruction (program counter): all of them, those in which the array
    /// also took a row, and whether it is a <c>normalize</c>. Empty for profiles without store lines.
    /// </summary>
    public IReadOnlyDictionary<int, StoreActivity> StoreByInstruction { get; init; } = new Dictionary<int, StoreActivity>();

    /// <summary>Cycles per cause over the whole run, indexed by <see cref="ExecCause"/>.</summary>
    public long[] Totals()
    {
        var sum = new long[ExecCauses.All.Count];
        foreach (var row in ByInstruction.Values)
        {
            for (var c = 0; c < sum.Length; c++)
            {
                sum[c] += row[c];
            }
        }

        return sum;
    }

    /// <summary>Cycles per cause of the instructions in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public long[] Range(int start, int end)
    {
        var sum = new long[ExecCauses.All.Count];
        foreach (var (pc, row) in ByInstruction)
        {
            if (pc >= start && pc < end)
            {
                for (var c = 0; c < sum.Length; c++)
                {
                    sum[c] += row[c];
                }
            }
        }

        return sum;
    }

    /// <summary>Parses the profile file.</summary>
    /// <exception cref="FormatException">Not a profile, or its causes differ from <see cref="ExecCause"/>.</exception>
    public static ExecProfile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || lines[0] != "hwgen-exec-profile 1")
        {
            throw new FormatException("not a harness profile (expected 'hwgen-exec-profile 1')");
        }

        var expected = "causes " + string.Join(' ', ExecCauses.All.Select(ExecCauses.Key));
        if (lines[1] != expected)
        {
            throw new FormatException($"the harness profile has causes '{lines[1]}', expected '{expected}'; rebuild the harness");
        }

        var rows = new SortedDictionary<int, long[]>();
        var store = new SortedDictionary<int, StoreActivity>();
        foreach (var line in lines.Skip(2))
        {
            var parts = line.Split(' ');
            if (parts[0] == "store")
            {
                if (parts.Length != 5)
                {
                    throw new FormatException($"bad profile line '{line}'");
                }

                long Num(int i) => long.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
                store[(int)Num(1)] = new StoreActivity(Num(2), Num(3), Num(4) == 1);
                continue;
            }

            if (parts.Length != ExecCauses.All.Count + 1)
            {
                throw new FormatException($"bad profile line '{line}'");
            }

            rows[int.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture)] =
                parts.Skip(1).Select(p => long.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        }

        return new ExecProfile { ByInstruction = rows, StoreByInstruction = store };
    }
}
