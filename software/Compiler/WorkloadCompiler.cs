using HwGen.Generator.Design;
using HwGen.Software.Layers;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Compiler;

/// <summary>
/// The one entry point that compiles a workload for a design: a layer preset goes through the layer graph, a GEMM
/// through the GEMM kernel, a row operation through the row kernels. The CLI and the verification runners call this
/// instead of choosing a compiler themselves.
/// </summary>
public static class WorkloadCompiler
{
    /// <summary>The dataflow used when none is asked for: weight-stationary when the design has it.</summary>
    public static Dataflow DefaultDataflow(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.SupportWs ? Dataflow.Ws : Dataflow.Os;
    }

    /// <summary>True when <paramref name="spec"/> names a whole Transformer layer (or a stack of them).</summary>
    public static bool IsLayer(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return LayerSpec.PresetNames.Contains(spec.Kind);
    }

    /// <summary>Compiles <paramref name="spec"/> for <paramref name="d"/>; <paramref name="dataflow"/> applies to GEMMs (default: <see cref="DefaultDataflow"/>).</summary>
    /// <exception cref="ArgumentException">The design lacks the dataflow or a unit the workload needs, or the workload does not fit.</exception>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec, Dataflow? dataflow = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(spec);
        if (Decode.DecodeModel.IsDecode(spec))
        {
            throw new ArgumentException($"workload '{spec}' generates text: a prefill and one program per decode step, which `hwgen sim` runs (software/Decode)", nameof(spec));
        }

        var df = dataflow ?? DefaultDataflow(d);
        if (!d.Supports(df))
        {
            throw new ArgumentException($"dataflow {(df == Dataflow.Ws ? "ws" : "os")}: configuration '{d.Name}' has array.dataflow without it", nameof(dataflow));
        }

        if (IsLayer(spec))
        {
            return LayerCompiler.Compile(d, spec);
        }

        return spec.Kind is "gemm" or "gemm+gelu" ? GemmCompiler.Compile(d, spec, df) : RowOpCompiler.Compile(d, spec);
    }

    /// <summary>
    /// Compiles <paramref name="spec"/> for a run: a layer workload also gets its quantized layers and float reference
    /// (<see cref="LayerRun"/>, whose program carries the float references); other workloads get none.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Compile"/>.</exception>
    public static (CompiledProgram Program, LayerRun? Layer) Prepare(DesignModel d, WorkloadSpec spec, Dataflow? dataflow = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!IsLayer(spec) || Decode.DecodeModel.IsDecode(spec))
        {
            return (Compile(d, spec, dataflow), null);
        }

        var layer = LayerRun.Create(d, spec);
        return (layer.Program, layer);
    }
}
