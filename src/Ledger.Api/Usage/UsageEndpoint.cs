using System.Globalization;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Money;
using Ledger.Projections.Usage;
using Marten;

namespace Ledger.Api.Usage;

public sealed record UsageRow(
    string Member, string Month, string Service,
    int RequestsMade, int RequestsFilled, int RequestsUnfilled, decimal? FillRate, double? MedianTurnaroundHours,
    int RequestsReceived, int RequestsSupplied, double? MedianSupplyTurnaroundHours,
    int PagesReceived, int PagesSupplied, decimal FeesPaid, decimal FeesReceived, decimal SubsidiesReceived, decimal RewardsReceived, int LoansLost);

public sealed record UsageTotals(int RequestsMade, int RequestsFilled, int RequestsUnfilled, decimal? FillRate,
    int PagesSupplied, decimal FeesPaid, decimal FeesReceived, decimal SubsidiesReceived, decimal RewardsReceived, int LoansLost);

public sealed record UsageResponse(string Alliance, string From, string To, IReadOnlyList<UsageRow> Rows, UsageTotals Totals,
    DateOnly? AsOf = null, int LateEntryCount = 0);

/// <summary>
/// Usage statistics from the async projection; with asOf, as known at the end of that day (see <see cref="UsageQueries"/>). Fill rate is filled ÷ (filled + unfilled) of the month; turnaround is
/// the median of hours from request to shipment (as borrower: of its requests; as lender: of what it supplied).
/// </summary>
public static class UsageEndpoint
{
    public const int MonthsMax = 120;

    public static void Map(RouteGroupBuilder alliance) => alliance.MapGet("/usage", async (string alliance, string? from, string? to,
            string? member, string? service, DateOnly? asOf, HttpContext http, ReadStore store) =>
        {
            var months = Months(from, to);
            var caller = http.Caller();
            if (caller.Is(Roles.Member))
            {
                // A member sees only its own rows: asking for another member is refused, asking for none means itself.
                if (member is not null && member != caller.Member)
                    throw new Forbidden(AccessCodes.MemberOutOfScope, $"a member token of {caller.Member} may not read {member}");
                member = caller.Member;
            }
            if (service is not null && service != UsageProjection.Loan && service != UsageProjection.Copy)
                throw new BadHttpRequestException("service must be 'loan' or 'copy'");
            await using var session = store.QuerySession(alliance);
            var a = await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
            var query = session.Query<UsageMonth>().Where(u => u.Month.IsOneOf(months));
            if (member is not null) query = query.Where(u => u.Member == member);
            if (service is not null) query = query.Where(u => u.Service == service);
            var docs = (await query.ToListAsync(http.RequestAborted)).ToList();
            var lateCount = 0;
            if (asOf is { } d)
            {
                // As known at the end of that day: what was recorded later is taken away and only counted.
                var first = DateOnly.ParseExact(months[0] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
                var late = await UsageQueries.RecordedAfter(session, a.EndOf(d), first, first.AddMonths(months.Length).AddDays(-1),
                    member, service, http.RequestAborted);
                foreach (var doc in docs)
                    if (late.Documents.TryGetValue(doc.Id, out var l)) doc.Subtract(l);
                docs.RemoveAll(doc => doc.CountsNothing());
                lateCount = late.EventCount;
            }
            var rows = docs.OrderBy(d => d.Month, StringComparer.Ordinal).ThenBy(d => d.Member, StringComparer.Ordinal)
                .ThenBy(d => d.Service, StringComparer.Ordinal).Select(Row).ToList();
            return Results.Ok(new UsageResponse(alliance, months[0], months[^1], rows, Totals(docs), asOf, lateCount));
        })
        .RequireAuthorization(Policies.ReadUsage).WithName("GetUsage").WithTags("Usage");

    private static UsageRow Row(UsageMonth u) => new(u.Member, u.Month, u.Service,
        u.RequestsMade, u.RequestsFilled, u.RequestsUnfilled, FillRate(u.RequestsFilled, u.RequestsUnfilled),
        Median(u.BorrowerTurnaroundHours), u.RequestsReceived, u.RequestsSupplied, Median(u.LenderTurnaroundHours),
        u.PagesReceived, u.PagesSupplied, Fen.ToAmount(u.FeesPaidFen), Fen.ToAmount(u.FeesReceivedFen),
        Fen.ToAmount(u.SubsidiesReceivedFen), Fen.ToAmount(u.RewardsReceivedFen), u.LoansLost);

    private static UsageTotals Totals(IReadOnlyList<UsageMonth> docs)
    {
        int filled = docs.Sum(d => d.RequestsFilled), unfilled = docs.Sum(d => d.RequestsUnfilled);
        return new UsageTotals(docs.Sum(d => d.RequestsMade), filled, unfilled, FillRate(filled, unfilled),
            docs.Sum(d => d.PagesSupplied), Fen.ToAmount(docs.Sum(d => d.FeesPaidFen)), Fen.ToAmount(docs.Sum(d => d.FeesReceivedFen)),
            Fen.ToAmount(docs.Sum(d => d.SubsidiesReceivedFen)), Fen.ToAmount(docs.Sum(d => d.RewardsReceivedFen)), docs.Sum(d => d.LoansLost));
    }

    public static decimal? FillRate(int filled, int unfilled) =>
        filled + unfilled == 0 ? null : Math.Round((decimal)filled / (filled + unfilled), 4);

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : Math.Round((sorted[mid - 1] + sorted[mid]) / 2, 2);
    }

    /// <summary>The months from..to inclusive (yyyy-MM); both required, at most <see cref="MonthsMax"/>.</summary>
    public static string[] Months(string? from, string? to)
    {
        static DateOnly Parse(string? text, string name) =>
            DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new BadHttpRequestException($"{name} must be a month such as 2026-10");
        var start = Parse(from, "from");
        var end = Parse(to, "to");
        if (end < start) throw new BadHttpRequestException("from must not be after to");
        var count = (end.Year - start.Year) * 12 + end.Month - start.Month + 1;
        if (count > MonthsMax) throw new BadHttpRequestException($"at most {MonthsMax} months at once");
        return Enumerable.Range(0, count).Select(i => start.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToArray();
    }
}
