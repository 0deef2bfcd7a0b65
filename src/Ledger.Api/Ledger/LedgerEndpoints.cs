using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Ledger;
using Ledger.Domain.Money;
using Ledger.Projections.Ledger;
using Marten;

namespace Ledger.Api.Ledger;

/// <summary>
/// A balance as of a business date as it was known at the end of that date; entries recorded later with an earlier
/// business date are counted apart (<see cref="LateEntries"/>), so the figure for a past date never changes.
/// </summary>
public sealed record BalanceResponse(string Member, DateOnly AsOf, decimal Balance, decimal LateEntries, int LateEntryCount, decimal BalanceIncludingLate,
    string Currency);

public sealed record AccountBalanceResponse(string Account, decimal Balance, decimal LateEntries, decimal BalanceIncludingLate);

public sealed record AllianceBalancesResponse(string Alliance, DateOnly AsOf, IReadOnlyList<AccountBalanceResponse> Accounts, decimal Total,
    decimal LateEntriesTotal, string Currency);

public sealed record StatementLine(
    decimal Amount, string Account, IReadOnlyList<string> CounterAccounts, DateOnly BusinessDate, DateTimeOffset RecordedAt,
    string? RecordedBy, string? RecordedByRole, Guid EventId, string EventType, string Stream, long StreamVersion, long Sequence)
{
    public static StatementLine From(Posting p) => new(Fen.ToAmount(p.AmountFen), p.Account, p.CounterAccounts, p.BusinessDate,
        p.RecordedAt, p.RecordedBy, p.RecordedByRole, p.EventId, p.EventType, p.StreamKey, p.StreamVersion, p.Sequence);

    public static readonly string[] Headers =
        ["business_date", "amount", "account", "counter_accounts", "event_type", "stream", "stream_version", "sequence", "event_id", "recorded_at", "recorded_by", "recorded_by_role"];

    public object?[] Row() => [BusinessDate, Amount, Account, string.Join(' ', CounterAccounts), EventType, Stream, StreamVersion, Sequence, EventId,
        RecordedAt, RecordedBy, RecordedByRole];
}

public sealed record StatementResponse(
    string Member, DateOnly? From, DateOnly? To, decimal OpeningBalance, decimal ClosingBalance, string Currency,
    IReadOnlyList<StatementLine> Postings, string? Next, Audit.ChainHeadResponse? AuditHead = null, DateOnly? AsOf = null,
    decimal LateEntries = 0, int LateEntryCount = 0);

/// <summary>
/// A member's postings that no closed period has settled yet (everything recorded after the last close, and what is
/// dated after its last day), the first <see cref="Lines"/> of them in statement order, with their count and total.
/// </summary>
public sealed record UnsettledResponse(string Member, string? LastClosedPeriod, decimal Total, int Count, IReadOnlyList<StatementLine> Lines, bool Truncated,
    string Currency);

/// <summary>Balances and statements: sums and lists of the postings the inline projection derives from events.</summary>
public static class LedgerEndpoints
{
    public const int StatementPageMax = 1000;

    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapGet("/members/{member}/balance", async (string alliance, string member, DateOnly? asOf, HttpContext http, ReadStore store) =>
            {
                await using var session = store.QuerySession(alliance);
                var a = await MemberMustExist(session, alliance, member, http.RequestAborted);
                var date = asOf ?? a.BusinessDate(http.Now());
                var row = (await LedgerQueries.KnownBalances(session, Account.Member(member), date, a.EndOf(date), http.Now(), http.RequestAborted)).SingleOrDefault()
                          ?? new LedgerQueries.KnownBalanceRow(Account.Member(member), 0, 0, 0);
                return Results.Ok(new BalanceResponse(member, date, Fen.ToAmount(row.KnownFen), Fen.ToAmount(row.LateFen), row.LateCount,
                    Fen.ToAmount(row.KnownFen + row.LateFen), a.Currency));
            })
            .RequireAuthorization(Policies.ReadMemberLedger).WithName("GetMemberBalance").WithTags("Ledger");

        alliance.MapGet("/members/{member}/statement", async (string alliance, string member, DateOnly? from, DateOnly? to, DateOnly? asOf,
                string? after, int? limit, HttpContext http, ReadStore store, Projections.Audit.AuditChains chains) =>
            {
                // As of a date: what had been recorded by the end of that date (to defaults to it); later entries with
                // business dates in the range are summed apart, so the statement fetched today for that date is the one
                // fetched then. Without asOf: everything recorded so far.
                to ??= asOf;
                if (from > to) throw new BadHttpRequestException("from must not be after to");
                if (limit is < 1 or > StatementPageMax) throw new BadHttpRequestException($"limit must be from 1 to {StatementPageMax}");
                var pageSize = limit ?? 200;
                var cursor = StatementCursor.Parse(after);
                await using var session = store.QuerySession(alliance);
                var a = await MemberMustExist(session, alliance, member, http.RequestAborted);
                var knownAt = (asOf is { } d ? a.EndOf(d) : LedgerQueries.Everything).ToUniversalTime(); // a timestamptz column takes UTC only
                var account = Account.Member(member);
                var opening = from is { } f
                    ? (await LedgerQueries.KnownBalance(session, account, null, f.AddDays(-1), knownAt, http.Now(), http.RequestAborted)).KnownFen
                    : 0;
                var inRange = await LedgerQueries.KnownBalance(session, account, from, to ?? DateOnly.MaxValue, knownAt, http.Now(), http.RequestAborted);

                var query = session.Query<Posting>().Where(p => p.Account == account);
                if (from is { } lo) query = query.Where(p => p.BusinessDate >= lo);
                if (to is { } hi) query = query.Where(p => p.BusinessDate <= hi);
                if (asOf is not null) query = query.Where(p => p.RecordedAt <= knownAt);
                if (cursor is { } c)
                    query = query.Where(p => p.BusinessDate > c.Date || (p.BusinessDate == c.Date && p.Sequence > c.Sequence));
                var page = await query.OrderBy(p => p.BusinessDate).ThenBy(p => p.Sequence).Take(pageSize + 1)
                    .ToListAsync(http.RequestAborted);

                var lines = page.Take(pageSize).Select(StatementLine.From).ToList();
                var next = page.Count > pageSize ? StatementCursor.Format(page[pageSize - 1]) : null;
                var head = await chains.For(alliance).Head(http.RequestAborted);
                return Results.Ok(new StatementResponse(member, from, to, Fen.ToAmount(opening), Fen.ToAmount(opening + inRange.KnownFen),
                    a.Currency, lines, next, new Audit.ChainHeadResponse(head.Sequence, head.Hash), asOf,
                    Fen.ToAmount(inRange.LateFen), inRange.LateCount));
            })
            .RequireAuthorization(Policies.ReadMemberLedger).WithName("GetMemberStatement").WithTags("Ledger");

        alliance.MapGet("/members/{member}/unsettled", async (string alliance, string member, int? limit, HttpContext http, ReadStore store) =>
            {
                if (limit is < 1 or > StatementPageMax) throw new BadHttpRequestException($"limit must be from 1 to {StatementPageMax}");
                await using var session = store.QuerySession(alliance);
                var a = await MemberMustExist(session, alliance, member, http.RequestAborted);
                var last = (await session.LoadAsync<Projections.Sharing.SettlementView>(StreamKeys.Settlement, http.RequestAborted))?.State?.LastClosed;
                var bounds = PeriodBounds.Open(DateOnly.MaxValue, last);
                var unsettled = PeriodQueries.Within(session, bounds, Account.Member(member));
                var count = await unsettled.CountAsync(http.RequestAborted);
                var total = count == 0 ? 0 : await unsettled.SumAsync(p => p.AmountFen, http.RequestAborted);
                var lines = await PeriodQueries.Postings(session, bounds, Account.Member(member)).Take(limit ?? 200).ToListAsync(http.RequestAborted);
                return Results.Ok(new UnsettledResponse(member, last?.Key, Fen.ToAmount(total), count, lines.Select(StatementLine.From).ToList(),
                    lines.Count < count, a.Currency));
            })
            .RequireAuthorization(Policies.ReadMemberLedger).WithName("GetUnsettledPostings").WithTags("Ledger");

        alliance.MapGet("/balances", async (string alliance, DateOnly? asOf, HttpContext http, ReadStore store) =>
            {
                await using var session = store.QuerySession(alliance);
                var a = await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
                var date = asOf ?? a.BusinessDate(http.Now());
                var rows = await LedgerQueries.KnownBalances(session, null, date, a.EndOf(date), http.Now(), http.RequestAborted);
                return Results.Ok(new AllianceBalancesResponse(alliance, date,
                    rows.Select(r => new AccountBalanceResponse(r.Account, Fen.ToAmount(r.KnownFen), Fen.ToAmount(r.LateFen), Fen.ToAmount(r.KnownFen + r.LateFen))).ToList(),
                    Fen.ToAmount(rows.Sum(r => r.KnownFen)), Fen.ToAmount(rows.Sum(r => r.LateFen)), a.Currency));
            })
            .RequireAuthorization(Policies.ReadAllianceLedger).WithName("GetAllianceBalances").WithTags("Ledger");
    }

    private static async Task<Alliance> MemberMustExist(IQuerySession session, string alliance, string member, CancellationToken ct)
    {
        var a = await StreamReads.AllianceMustExist(session, alliance, ct);
        return a.MemberOrNull(member) is null
            ? throw new NotFound(AllianceCodes.MemberMustExist, $"member {member} does not exist in {alliance}")
            : a;
    }
}

/// <summary>The statement's keyset cursor: the business date and sequence of the last line shown, "2026-10-31_1234".</summary>
public readonly record struct StatementCursor(DateOnly Date, long Sequence)
{
    public static string Format(Posting p) => $"{p.BusinessDate:yyyy-MM-dd}_{p.Sequence}";

    public static StatementCursor? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('_');
        return parts.Length == 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", out var d) && long.TryParse(parts[1], out var s)
            ? new StatementCursor(d, s)
            : throw new BadHttpRequestException("after must be the 'next' value of a previous statement page");
    }
}
