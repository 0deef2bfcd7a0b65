using Ledger.Domain.Settlement;
using Marten;

namespace Ledger.Projections.Ledger;

/// <summary>
/// The postings of a settlement period: business date up to the period's last day and sequence up to its high-water
/// mark, minus those of the period before (business date up to its last day and sequence up to its mark). An open
/// period's mark is "everything so far".
/// </summary>
public sealed record PeriodBounds(DateOnly To, long HighWater, DateOnly PreviousTo, long PreviousHighWater)
{
    public static PeriodBounds Of(PeriodClosed p) => new(p.To, p.HighWaterSequence, p.PreviousTo ?? DateOnly.MinValue, p.PreviousHighWaterSequence);

    public static PeriodBounds Open(DateOnly to, ClosedPeriod? previous) =>
        new(to, long.MaxValue, previous?.To ?? DateOnly.MinValue, previous?.HighWaterSequence ?? 0);
}

public static class PeriodQueries
{
    public static IQueryable<Posting> Postings(IQuerySession session, PeriodBounds b, string? account = null) =>
        Within(session, b, account).OrderBy(p => p.BusinessDate).ThenBy(p => p.Sequence).ThenBy(p => p.Index);

    /// <summary>The same postings unordered, for counting and summing.</summary>
    public static IQueryable<Posting> Within(IQuerySession session, PeriodBounds b, string? account = null)
    {
        var query = session.Query<Posting>().Where(p => p.BusinessDate <= b.To && p.Sequence <= b.HighWater &&
                                                        !(p.BusinessDate <= b.PreviousTo && p.Sequence <= b.PreviousHighWater));
        return account is null ? query : query.Where(p => p.Account == account);
    }

    /// <summary>Every account's balance at the end of the previous period (its closing set).</summary>
    public static async Task<IReadOnlyDictionary<string, long>> Openings(IQuerySession session, PeriodBounds b, CancellationToken ct)
    {
        var rows = await session.AdvancedSql.QueryAsync<LedgerQueries.AccountBalanceRow>(
            "select jsonb_build_object('Account', account, 'BalanceFen', sum(amount_fen)::bigint) " +
            $"from {session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_posting " +
            "where tenant_id = ? and business_date <= ? and sequence <= ? group by account",
            ct, session.TenantId, b.PreviousTo, b.PreviousHighWater);
        return rows.ToDictionary(r => r.Account, r => r.BalanceFen, StringComparer.Ordinal);
    }

    public static NettingLine Line(Posting p) => new(p.EventId, p.Index, p.Account, p.AmountFen, p.BusinessDate, p.Sequence);
}
