using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// The times a command or a read may name. An instant (a command's <c>at</c>, an alliance's founding, an ISO 18626
/// header timestamp) may lie at most <c>Ledger:Clock:MaxAhead</c> (default five minutes) ahead of the host's clock: a
/// charge dated 2099 would sit outside every balance and settlement period. Dates run from 1900-01-01 to 2999-12-31,
/// so the end-of-day and period arithmetic of a read never overflows.
/// </summary>
public sealed class TimeBounds(TimeProvider clock, TimeSpan maxAhead)
{
    public const string MaxAheadSetting = "Ledger:Clock:MaxAhead";
    public const string TimeInFuture = "time_must_not_be_in_the_future";
    public const string DateOutOfRange = "date_out_of_range";

    public TimeSpan MaxAhead { get; } = maxAhead;

    public static TimeBounds From(IConfiguration configuration, TimeProvider clock)
    {
        var setting = configuration[MaxAheadSetting];
        if (string.IsNullOrWhiteSpace(setting)) return new TimeBounds(clock, TimeSpan.FromMinutes(5));
        return TimeSpan.TryParse(setting, CultureInfo.InvariantCulture, out var ahead) && ahead >= TimeSpan.Zero
            ? new TimeBounds(clock, ahead)
            : throw new InvalidOperationException($"{MaxAheadSetting} must be a time span such as 00:05:00, not '{setting}'");
    }

    /// <summary>The latest instant a command may name now.</summary>
    public DateTimeOffset Latest => clock.GetUtcNow() + MaxAhead;

    /// <summary>Why an instant cannot be taken, or null.</summary>
    public string? Refuse(DateTimeOffset at) => at > Latest
        ? $"{at:yyyy-MM-dd'T'HH:mm:sszzz} is later than the server's clock allows ({MaxAhead.TotalMinutes:N0} minutes ahead at most)"
        : null;

    public static string? Refuse(DateOnly date) => !Domain.DateRange.Contains(date)
        ? $"{date:yyyy-MM-dd} is outside the dates the ledger takes ({Domain.DateRange.Earliest:yyyy-MM-dd} to {Domain.DateRange.Latest:yyyy-MM-dd})"
        : null;

    /// <summary>What was refused: the code (a time ahead of the clock wins over a date out of range) and the reason per field.</summary>
    public sealed record Refusal(string Code, Dictionary<string, string[]> Errors);

    /// <summary>Every instant and date an endpoint's arguments carry (query parameters and the fields of a body), checked; null when all are good.</summary>
    public Refusal? Check(IEnumerable<(string Name, object? Value)> values)
    {
        var errors = new Dictionary<string, string[]>();
        var code = DateOutOfRange;
        // An instant is only ever refused for lying ahead of the clock (its range is the JSON reader's); a date for its range.
        void Add(string name, string? why, string refusedAs)
        {
            if (why is null) return;
            errors[name] = [why];
            if (refusedAs == TimeInFuture) code = TimeInFuture;
        }
        foreach (var (name, value) in values)
        {
            switch (value)
            {
                case null: break;
                case DateTimeOffset at: Add(name, Refuse(at), TimeInFuture); break;
                case DateOnly date: Add(name, Refuse(date), DateOutOfRange); break;
                case string or IFormFile or Stream or HttpContext or HttpRequest: break;
                default:
                    foreach (var p in Fields(value.GetType()))
                        switch (p.GetValue(value))
                        {
                            case DateTimeOffset at: Add(Camel(p.Name), Refuse(at), TimeInFuture); break;
                            case DateOnly date: Add(Camel(p.Name), Refuse(date), DateOutOfRange); break;
                        }
                    break;
            }
        }
        return errors.Count == 0 ? null : new Refusal(code, errors);
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> FieldsByType = new();

    /// <summary>The instant and date properties of a request body (records of this assembly only).</summary>
    private static PropertyInfo[] Fields(Type type) => FieldsByType.GetOrAdd(type, t => t.Assembly != typeof(TimeBounds).Assembly
        ? []
        : t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) is var u
                        && (u == typeof(DateTimeOffset) || u == typeof(DateOnly)))
            .ToArray());

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>Refuses, before the handler runs, a request whose instants or dates lie outside <see cref="TimeBounds"/>.</summary>
public sealed class TimeBoundsFilter(TimeBounds bounds) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters();
        var values = context.Arguments.Select((value, i) => (parameters is { } ps && i < ps.Length ? ps[i].Name ?? "value" : "value", value));
        return bounds.Check(values) is { } refusal
            ? Problems.Result(400, refusal.Code, "a time or date is outside what the ledger takes", refusal.Errors)
            : await next(context);
    }
}
