namespace HwGen.Verif;

/// <summary>A built harness executable.</summary>
/// <param name="ExecutablePath">Absolute path of the simulator binary.</param>
/// <param name="Hash">Cache key: SHA-256 over the RTL, harness sources, Verilator version and flags.</param>
/// <param name="FromCache">True when the binary was already in the cache.</param>
/// <param name="BuildSeconds">Wall time of the build (0 when cached).</param>
/// <param name="Traced">True for the FST-tracing variant.</param>
public sealed record HarnessBinary(string ExecutablePath, string Hash, bool FromCache, double BuildSeconds, bool Traced);
