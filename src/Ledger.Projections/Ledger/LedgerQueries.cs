using Marten;

namespace Ledger.Projections.Ledger;

/// <summary>
/// Sums over the posting table. These run as single SQL aggregates on indexed columns rather than loading postings,
/// so a balance costs one round trip however many postings lie behind it.
/// </summary>
public static class LedgerQueries
{
    /// <summary>"Known by" for questions about everything recorded so far: later than anything can have been recorded.</summary>
    public static readonly DateTimeOffset Everything = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Table(IQuerySession s) => $"{s.DocumentStore.Options.DatabaseSchemaName}.mt_doc_posting";

    private static string Days(IQuerySession s) => $"{s.DocumentStore.Options.DatabaseSchemaName}.{AccountDays.TableName}";

    /// <summary>Every account of the alliance with its balance as of a business date, in account order (from the day sums).</summary>
    public static async Task<IReadOnlyList<(string Account, long BalanceFen)>> AccountBalances(
        IQuerySession session, DateOnly? asOf, CancellationToken ct)
    {
        // One JSON row per account: Marten's advanced SQL reads a single JSON column into a typed row.
        var rows = await session.AdvancedSql.QueryAsync<AccountBalanceRow>(
            "select jsonb_build_object('Account', account, 'BalanceFen', sum(amount_fen)::bigint) " +
            $"from {Days(session)} where tenant_id = ? and business_date <= ? group by account order by account",
            ct, session.TenantId, asOf ?? DateOnly.MaxValue);
        return rows.Select(r => (r.Account, r.BalanceFen)).ToList();
    }

    public sealed record AccountBalanceRow(string Account, long BalanceFen);

    /// <summary>A balance as it was known at an instant, and what was recorded after it with an earlier business date.</summary>
    public sealed record KnownBalanceRow(string Account, long KnownFen, long LateFen, int LateCount);

    /// <summary>
    /// Every account's (or one account's) balance as of a business date, split into what had been recorded by
    /// <paramref name="knownAt"/> and what was recorded later (late entries): one SQL aggregate.
    /// </summary>
    public static Task<IReadOnlyList<KnownBalanceRow>> KnownBalances(IQuerySession session, string? account, DateOnly asOf, DateTimeOffset knownAt,
        DateTimeOffset now, CancellationToken ct) => KnownBalances(session, account, null, asOf, knownAt, now, ct);

    /// <summary>
    /// The same over business dates in [from, to]; a null <paramref name="from"/> is open. When <paramref name="knownAt"/>
    /// is not before <paramref name="now"/> (the host's clock, which stamps every event) everything recorded so far was
    /// known by then and nothing is late, so the day sums answer (one row per business day); otherwise the postings are
    /// summed with their recording times.
    /// </summary>
    public static async Task<IReadOnlyList<KnownBalanceRow>> KnownBalances(IQuerySession session, string? account, DateOnly? from, DateOnly to,
        DateTimeOffset knownAt, DateTimeOffset now, CancellationToken ct)
    {
        if (DaySums.Answer(knownAt, now))
            return await session.AdvancedSql.QueryAsync<KnownBalanceRow>(
                "select jsonb_build_object('Account', account, 'KnownFen', sum(amount_fen)::bigint, 'LateFen', 0, 'LateCount', 0) " +
                $"from {Days(session)} where tenant_id = ? and business_date >= ? and business_date <= ? and (?::text is null or account = ?) " +
                "group by account order by account",
                ct, session.TenantId, from ?? DateOnly.MinValue, to, account!, account!);

        const string recorded = "recorded_at";
        var at = knownAt.ToUniversalTime();
        return await session.AdvancedSql.QueryAsync<KnownBalanceRow>(
            "select jsonb_build_object('Account', account, " +
            $"'KnownFen', coalesce(sum(amount_fen) filter (where {recorded} <= ?), 0)::bigint, " +
            $"'LateFen', coalesce(sum(amount_fen) filter (where {recorded} > ?), 0)::bigint, " +
            $"'LateCount', count(*) filter (where {recorded} > ?)) " +
            $"from {Table(session)} where tenant_id = ? and business_date >= ? and business_date <= ? and (?::text is null or account = ?) " +
            "group by account order by account",
            ct, at, at, at, session.TenantId, from ?? DateOnly.MinValue, to, account!, account!);
    }

    /// <summary>One account's known and late sums over [from, to] (zeros when it has no postings there).</summary>
    public static async Task<KnownBalanceRow> KnownBalance(IQuerySession session, string account, DateOnly? from, DateOnly to,
        DateTimeOffset knownAt, DateTimeOffset now, CancellationToken ct) =>
        (await KnownBalances(session, account, from, to, knownAt, now, ct)).SingleOrDefault() ?? new KnownBalanceRow(account, 0, 0, 0);
}
