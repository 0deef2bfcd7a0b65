namespace Ledger.Projections;

/// <summary>
/// The clock that stamps events, cut to whole microseconds: PostgreSQL keeps timestamps to the microsecond, so what the
/// inline projections fold at append time (a posting's RecordedAt) is exactly what a rebuild later reads back from the
/// stored event. (With .NET's 100 ns ticks, a rebuild's documents differed in the seventh decimal.)
/// </summary>
public sealed class StoredClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => ToMicroseconds(inner.GetUtcNow());

    /// <summary>A moment as PostgreSQL keeps it: cut to whole microseconds.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerMicrosecond));

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();
}
