using System.Text.Json;
using System.Text.Json.Serialization;

namespace HwGen.Verif;

/// <summary>JSON form of <see cref="CosimReport"/>: snake_case keys, enum values as snake_case strings.</summary>
public static class CosimReportJson
{
    /// <summary>Serializer settings shared by the CLI and tests.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serializes a report.</summary>
    public static string Serialize(CosimReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>Serializes several reports as a JSON array.</summary>
    public static string Serialize(IEnumerable<CosimReport> reports) => JsonSerializer.Serialize(reports, Options);
}
