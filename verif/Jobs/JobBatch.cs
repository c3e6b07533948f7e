using System.Globalization;
using System.Text;

namespace HwGen.Verif.Jobs;

/// <summary>
/// A folder of tasks that local processes or a Slurm job array run, and where their outcomes stay:
/// <list type="bullet">
/// <item><c>tasks/&lt;i&gt;.sh</c>: task i's command line (changes to its folder, then runs the program);</item>
/// <item><c>run-task.sh</c>: runs task <c>$1</c> (or <c>$SLURM_ARRAY_TASK_ID + $HWGEN_TASK_OFFSET</c>), its output to
/// <c>logs/&lt;i&gt;.log</c>, and writes its exit code to <c>status/&lt;i&gt;</c> last, atomically;</item>
/// <item><c>status/&lt;i&gt;</c>: the exit code of the last finished attempt.</item>
/// </list>
/// Opening a folder that already holds the same tasks keeps their statuses, so a batch stopped halfway and started again
/// runs only what did not finish. The folder must be visible at the same path to every node that runs tasks.
/// </summary>
public sealed class JobBatch
{
    /// <summary>The script every runner starts, one task per invocation.</summary>
    public const string ScriptName = "run-task.sh";

    private JobBatch(string directory, int count)
    {
        Directory = directory;
        Count = count;
    }

    /// <summary>The batch folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>Number of tasks.</summary>
    public int Count { get; }

    /// <summary>The script's path.</summary>
    public string Script => Path.Combine(Directory, ScriptName);

    /// <summary>
    /// Writes the batch into <paramref name="directory"/>, or reopens it when it holds exactly these tasks (statuses kept).
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder holds a different batch.</exception>
    public static JobBatch Open(string directory, IReadOnlyList<JobTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfZero(tasks.Count);
        var dir = Path.GetFullPath(directory);
        var lines = tasks.Select(CommandLine).ToArray();
        var taskDir = Path.Combine(dir, "tasks");
        if (System.IO.Directory.Exists(taskDir))
        {
            var existing = System.IO.Directory.GetFiles(taskDir, "*.sh").Length;
            var same = existing == lines.Length && lines.Select((l, i) => (l, i))
                .All(t => File.Exists(TaskFile(dir, t.i)) && File.ReadAllText(TaskFile(dir, t.i)) == t.l);
            if (!same)
            {
                throw new InvalidOperationException(
                    $"{dir} already holds a different batch ({existing} tasks); use a new folder or remove it");
            }
        }
        else
        {
            System.IO.Directory.CreateDirectory(taskDir);
            for (var i = 0; i < lines.Length; i++)
            {
                File.WriteAllText(TaskFile(dir, i), lines[i]);
            }
        }

        System.IO.Directory.CreateDirectory(Path.Combine(dir, "logs"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "status"));
        File.WriteAllText(Path.Combine(dir, ScriptName), RunTaskScript);
        return new JobBatch(dir, lines.Length);
    }

    /// <summary>Task i's exit code, or null when no attempt has finished.</summary>
    public int? ExitCode(int task)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, Count);
        var path = Path.Combine(Directory, "status", task.ToString(CultureInfo.InvariantCulture));
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;
    }

    /// <summary>Tasks that have not exited 0 yet (never run, failed or lost), in index order.</summary>
    public IReadOnlyList<int> Unfinished() => [.. Enumerable.Range(0, Count).Where(i => ExitCode(i) != 0)];

    /// <summary>Task i's output (standard output and error).</summary>
    public string LogPath(int task) => Path.Combine(Directory, "logs", task.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <summary>Forgets task i's outcome, so it counts as not run (before a resubmission).</summary>
    public void Reset(int task) => File.Delete(Path.Combine(Directory, "status", task.ToString(CultureInfo.InvariantCulture)));

    private static string TaskFile(string dir, int i) => Path.Combine(dir, "tasks", i.ToString(CultureInfo.InvariantCulture) + ".sh");

    /// <summary>The shell line of a task: <c>cd 'dir' &amp;&amp; exec 'program' 'arg' …</c>, every word single-quoted.</summary>
    internal static string CommandLine(JobTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var sb = new StringBuilder("cd ").Append(Quote(task.WorkingDirectory)).Append(" && exec ").Append(Quote(task.Program));
        foreach (var a in task.Arguments)
        {
            sb.Append(' ').Append(Quote(a));
        }

        return sb.Append('\n').ToString();
    }

    /// <summary>Single-quotes a word for a POSIX shell.</summary>
    internal static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private const string RunTaskScript = """
        #!/usr/bin/env bash
        # Written by HwGen (verif/Jobs/JobBatch.cs): runs one task of this batch. Task index: $1, or
        # SLURM_ARRAY_TASK_ID + HWGEN_TASK_OFFSET in a Slurm job array. Output goes to logs/<i>.log; the exit
        # code is written to status/<i> last (atomically), so a task without a status did not finish.
        set -u
        # Slurm runs a copy of this script from its spool folder, started in the batch folder (--chdir).
        if [[ -n "${SLURM_JOB_ID:-}" ]]; then dir="$PWD"; else dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; fi
        i="${1:-$(( ${SLURM_ARRAY_TASK_ID:?no task index} + ${HWGEN_TASK_OFFSET:-0} ))}"
        task="$dir/tasks/$i.sh"
        if [[ ! -f "$task" ]]; then echo "run-task.sh: no task $i in $dir" >&2; exit 2; fi
        bash "$task" >"$dir/logs/$i.log" 2>&1 </dev/null
        rc=$?
        tmp="$dir/status/.$i.$$"
        echo "$rc" >"$tmp" && mv -f "$tmp" "$dir/status/$i"
        exit "$rc"

        """;
}
