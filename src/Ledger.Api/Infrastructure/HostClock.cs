using System.Globalization;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// The host's clock: the system clock, moved by <c>Ledger:Clock:Offset</c> (a .NET time span such as <c>365.00:00:00</c>,
/// negative for the past). Everything that asks "what time is it" in the host asks this one clock: the default <c>at</c>
/// of a command, the business date, the events' timestamps, the "known by the end of that day" of as-of reads, the
/// periods that have ended, and the lifetime of tokens. So a whole host can be run a year on — to rehearse a year-end
/// close, or to prove that nothing depends on the day the tests run — without touching the machine's clock.
/// Never set it on a production node: tokens from an identity provider carry real times.
/// </summary>
public sealed class HostClock(TimeSpan offset) : TimeProvider
{
    public const string OffsetSetting = "Ledger:Clock:Offset";

    /// <summary>The same setting as an environment variable, for a host started as its own process.</summary>
    public const string OffsetVariable = "Ledger__Clock__Offset";

    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>The clock a configuration asks for: the system clock unless an offset is set.</summary>
    public static TimeProvider From(IConfiguration configuration) => For(configuration[OffsetSetting]);

    /// <summary>The clock for a setting's value (empty: the system clock).</summary>
    public static TimeProvider For(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting)) return System;
        if (!TimeSpan.TryParse(setting, CultureInfo.InvariantCulture, out var offset))
            throw new InvalidOperationException($"{OffsetSetting} must be a time span such as 365.00:00:00, not '{setting}'");
        return offset == TimeSpan.Zero ? System : new HostClock(offset);
    }
}
