using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Api.Infrastructure;

public static class Json
{
    /// <summary>
    /// camelCase properties, enums as kebab-case strings (never numbers), and unknown and repeated fields rejected: a misspelt
    /// field in a money command must fail loudly rather than be ignored.
    /// </summary>
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.AllowDuplicateProperties = false;
        o.MaxDepth = 32;
    }
}
