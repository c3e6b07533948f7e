using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// One phase of an operation timed instruction by instruction (<see cref="FastUnits"/>): its loads, its computes (with the
/// epilogues the phase builder places among them) and its epilogues, in the phase builder's order; dependencies are the
/// ids of <see cref="FastUnits"/>' resources (a time each: when data is in, or when what last read a buffer is done).
/// </summary>
internal sealed class FastPhase
{
    /// <summary>A load: <paramref name="Wait"/> the resource it waits for (−1: none), <paramref name="Data"/> the resource its data makes ready.</summary>
    public readonly record struct LoadItem(int Rows, int Cols, LoadTarget Target, bool Activation, int Wait, int Data);

    /// <summary>Up to four resources an instruction waits for (−1: none).</summary>
    public readonly record struct Deps(int A, int B = -1, int C = -1, int D = -1);

    /// <summary>
    /// A compute (<paramref name="Os"/> or weight-stationary) after its <paramref name="Deps"/>, moving <paramref name="Reads"/> to its end; or, with
    /// <paramref name="Epilogue"/>, a subtile's epilogue (after the compute before it), moving <paramref name="Reads"/> to its last read.
    /// </summary>
    public readonly record struct Item(bool Os, int Rows, int K, bool Conflict, Deps Deps, int Reads, GemmEpilogue? Epilogue = null, int N = 0, int Blocks = 0,
        double Shared = 0);

    public List<LoadItem> Loads { get; } = [];

    public List<Item> Computes { get; } = [];

    public List<Item> Stores { get; } = [];

    /// <summary>Resources every load of the phase also waits for ([first, first + count)).</summary>
    public (int First, int Count) LoadsWait { get; private set; } = (-1, 0);

    /// <summary>Resources the phase's computes read as a whole, moved to its last compute's end ([first, first + count)).</summary>
    public List<(int First, int Count)> ReadAll { get; } = [];

    /// <summary>Empties the phase for reuse.</summary>
    public void Clear()
    {
        Loads.Clear();
        Computes.Clear();
        Stores.Clear();
        ReadAll.Clear();
        LoadsWait = (-1, 0);
    }

    public bool IsEmpty => Loads.Count == 0 && Computes.Count == 0 && Stores.Count == 0;

    public void Load(int rows, int cols, LoadTarget target, bool activation, int wait, int data) => Loads.Add(new LoadItem(rows, cols, target, activation, wait, data));

    public void Os(int rows, int k, bool conflict, Deps deps, int reads) => Computes.Add(new Item(true, rows, k, conflict, deps, reads));

    public void Ws(int rows, int k, bool conflict, Deps deps, int reads) => Computes.Add(new Item(false, rows, k, conflict, deps, reads));

    /// <summary>A subtile's epilogue: among the computes (before the next subtile's) or with the phase's stores.</summary>
    public void Epilogue(GemmEpilogue epilogue, int rows, int n, int blocks, double shared, int frees, bool amongComputes) =>
        (amongComputes ? Computes : Stores).Add(new Item(false, rows, 0, false, new(-1), frees, epilogue, n, blocks, shared));

    public void WaitAll(int first, int count) => LoadsWait = (first, count);

    public void ReadsAll(int first, int count)
    {
        if (first >= 0)
        {
            ReadAll.Add((first, count));
        }
    }
}
