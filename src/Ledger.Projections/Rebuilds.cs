namespace Ledger.Projections;

/// <summary>How a full rebuild reads and writes (the live, inline path is not affected).</summary>
public static class Rebuilds
{
    /// <summary>Events the daemon reads per page.</summary>
    public const int BatchSize = 5_000;

    /// <summary>Views kept in memory before a rebuild writes them out (each stream's latest view written once).</summary>
    public const int FlushThreshold = 20_000;
}
