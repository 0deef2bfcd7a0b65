using Ledger.Api.Audit;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Funding;
using Ledger.Domain.Money;
using Ledger.Projections;
using Ledger.Projections.Alliances;
using Ledger.Projections.Audit;
using Ledger.Projections.Funding;
using Ledger.Projections.Sharing;
using Marten;

namespace Ledger.Api.Funding;

public sealed record LineReport(string Line, decimal Budget, decimal Spent, decimal Remaining);

public sealed record SubProjectReport(
    string Alliance, string Project, string SubProject, string Title, string UndertakingMember, string Status, DateOnly? AcceptedOn, string? Grade,
    decimal? Score, decimal Budget, decimal Allocated, decimal Returned, decimal MovedIn, decimal MovedOut, decimal Spent, decimal Remaining,
    decimal? ExecutionRate, int SubsidisedRequests, int SubsidisedPages, decimal Subsidies, decimal RewardsPaid, decimal Covers,
    IReadOnlyList<LineReport> Lines, int WithheldRequests = 0, decimal Withheld = 0);

public sealed record ProjectReport(string Alliance, string Project, string Name, string Phase, DateOnly? ClosedOn, decimal Budget, decimal Allocated,
    decimal Spent, decimal Remaining, decimal? ExecutionRate, IReadOnlyList<SubProjectReport> SubProjects);

public sealed record CoveredLicence(string Alliance, string PurchaseId, string Resource, string SubProject, decimal Covered, long Usage, decimal? CoverPerUse);

public sealed record LateEntry(string Alliance, string SubProject, string? Line, string Kind, decimal Amount, DateOnly BusinessDate, DateTimeOffset RecordedAt,
    long Sequence, Guid EventId, string EventType);

public sealed record FundingTotals(decimal Budget, decimal Allocated, decimal Spent, decimal Remaining, decimal? ExecutionRate, int SubsidisedRequests,
    int SubsidisedPages, decimal RewardsPaid);

public sealed record FundingReport(string Department, DateOnly AsOf, int? FiscalYear, string? Project, IReadOnlyList<ProjectReport> Projects,
    FundingTotals Totals, IReadOnlyList<CoveredLicence> CoveredLicences, IReadOnlyList<LateEntry> LateEntries, ChainHeadResponse AuditHead,
    IReadOnlyList<DatabaseChainHeadResponse>? AuditHeads = null, IReadOnlyList<string>? Alliances = null);

/// <summary>
/// The department's funding report across its alliances. As of a date it counts what was dated on or before that date
/// and recorded by the end of it (in the alliance's time zone), so the report for a past date never changes; what was
/// recorded later with an earlier date is listed as a late entry, not mixed in.
/// </summary>
public static class FundingReportEndpoint
{
    public static void Map(RouteGroupBuilder api) => api.MapGet("/departments/{department}/funding-report", (string department, int? fiscalYear,
            string? project, DateOnly? asOf, string? format, HttpContext http, ReadStore store, AuditChains chains) =>
            Answer(http, store, chains, department, null, fiscalYear, project, asOf, format))
        .RequireAuthorization(Policies.ReadFunding).WithName("GetFundingReport").WithTags("Funding");

    /// <summary>The same report for one alliance's projects: its finance officer reads it too, not only the department's auditor.</summary>
    public static void MapAlliance(RouteGroupBuilder alliance) => alliance.MapGet("/funding-report", async (string alliance, int? fiscalYear,
            string? project, DateOnly? asOf, string? format, HttpContext http, ReadStore store, AuditChains chains) =>
        {
            await using var session = store.QuerySession(alliance);
            var a = await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
            return await Answer(http, store, chains, a.DepartmentCode, alliance, fiscalYear, project, asOf, format);
        })
        .RequireAuthorization(Policies.ReadSettlement).WithName("GetAllianceFundingReport").WithTags("Funding");

    private static async Task<IResult> Answer(HttpContext http, ReadStore store, AuditChains chains, string department, string? onlyAlliance,
        int? fiscalYear, string? project, DateOnly? asOf, string? format)
    {
        if (fiscalYear is < 2000 or > 2100) throw new BadHttpRequestException("fiscalYear must be a year from 2000 to 2100");
        var ct = http.RequestAborted;
        var report = await Build(store, department, fiscalYear, project, asOf, http.Now(), ct, onlyAlliance);
        // The chain of every database holding a reported alliance (one with a single database); AuditHead is the first.
        var heads = new List<DatabaseChainHeadResponse>();
        var databases = report.Alliances!.Select(chains.DatabaseOf).DefaultIfEmpty(LedgerDatabases.Main).Distinct()
            .OrderBy(d => d == LedgerDatabases.Main ? 0 : 1).ThenBy(d => d, StringComparer.Ordinal);
        foreach (var database in databases)
        {
            var head = await chains.Named(database)!.Head(ct);
            heads.Add(new DatabaseChainHeadResponse(database, head.Sequence, head.Hash));
        }
        report = report with { AuditHead = new ChainHeadResponse(heads[0].Sequence, heads[0].Hash), AuditHeads = heads };
        var subs = report.Projects.SelectMany(p => p.SubProjects).ToList();
        return await Exports.Answer(http, format, $"{department}-funding-report-{report.AsOf:yyyy-MM-dd}", report,
            new ExportTable("Sub-projects", ["alliance", "project", "sub_project", "title", "undertaking_member", "status", "grade", "budget", "allocated",
                        "returned", "moved_in", "moved_out", "spent", "remaining", "execution_rate", "subsidised_requests", "subsidised_pages", "rewards_paid", "covers"],
                subs.Select(s => new object?[] { s.Alliance, s.Project, s.SubProject, s.Title, s.UndertakingMember, s.Status, s.Grade, s.Budget, s.Allocated,
                        s.Returned, s.MovedIn, s.MovedOut, s.Spent, s.Remaining, s.ExecutionRate, s.SubsidisedRequests, s.SubsidisedPages, s.RewardsPaid, s.Covers })),
            new ExportTable("Budget lines", ["alliance", "project", "sub_project", "line", "budget", "spent", "remaining"],
                subs.SelectMany(s => s.Lines.Select(l => new object?[] { s.Alliance, s.Project, s.SubProject, l.Line, l.Budget, l.Spent, l.Remaining }))),
            new ExportTable("Late entries", ["alliance", "sub_project", "line", "kind", "amount", "business_date", "recorded_at", "sequence", "event_id"],
                report.LateEntries.Select(l => new object?[] { l.Alliance, l.SubProject, l.Line, l.Kind, l.Amount, l.BusinessDate, l.RecordedAt, l.Sequence, l.EventId })),
            new ExportTable("Audit", ["department", "as_of", "database", "chain_sequence", "chain_hash"],
                report.AuditHeads!.Select(h => new object?[] { department, report.AsOf, h.Database, h.Sequence, h.Hash })));
    }

    public static async Task<FundingReport> Build(ReadStore store, string department, int? fiscalYear, string? projectFilter, DateOnly? asOf,
        DateTimeOffset now, CancellationToken ct, string? onlyAlliance = null)
    {
        var alliances = (await StreamReads.AllAlliances(store.Primary, ct)).Where(a => a.DepartmentCode == department && (onlyAlliance is null || a.Code == onlyAlliance)).ToList();

        var projects = new List<ProjectReport>();
        var late = new List<LateEntry>();
        var licences = new List<CoveredLicence>();
        var reportDate = asOf ?? (alliances.Count > 0 ? alliances[0].BusinessDate(now) : DateOnly.FromDateTime(now.UtcDateTime));
        foreach (var alliance in alliances)
        {
            await using var session = store.QuerySession(alliance.Code);
            var date = asOf ?? alliance.BusinessDate(now);
            var endOfDay = alliance.EndOf(date);
            var allProjects = await session.Query<ProjectView>().ToListAsync(ct);
            var subProjects = (await session.Query<SubProjectView>().ToListAsync(ct)).Select(v => v.State!).ToList();
            if (asOf is not null)
            {
                // As of a day, only the projects and sub-projects approved (recorded) by its end: a report fetched later
                // for that day shows the structure it showed then.
                var existed = (await session.AdvancedSql.QueryAsync<string>(
                    $"select stream_id from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events " +
                    "where tenant_id = ? and version = 1 and (stream_id like 'project:%' or stream_id like 'subproject:%') and timestamp <= ?",
                    ct, alliance.Code, endOfDay.ToUniversalTime())).ToHashSet(StringComparer.Ordinal);
                allProjects = allProjects.Where(p => existed.Contains(StreamKeys.Project(p.State!.Code))).ToList();
                subProjects = subProjects.Where(s => existed.Contains(StreamKeys.SubProject(s.Code))).ToList();
            }
            // What was known by the end of the day, summed in SQL (one row per sub-project, kind, line, purchase and year);
            // what was recorded later with an earlier date, listed one by one.
            var known = await FundingQueries.KnownTotals(session, date, endOfDay, fiscalYear, now, ct);
            var after = endOfDay.ToUniversalTime();
            var lateEntries = await session.Query<FundingEntry>().Where(e => e.BusinessDate <= date && e.RecordedAt > after)
                .OrderBy(e => e.Sequence).ToListAsync(ct);
            late.AddRange(lateEntries.Where(e => fiscalYear is null || e.FiscalYear == fiscalYear).Select(e => new LateEntry(alliance.Code,
                e.SubProject, e.Line, e.Kind.ToString(), Fen.ToAmount(e.AmountFen), e.BusinessDate, e.RecordedAt, e.Sequence, e.EventId, e.EventType)));

            foreach (var p in allProjects.Select(v => v.State!).Where(p => projectFilter is null || p.Code == projectFilter).OrderBy(p => p.Code, StringComparer.Ordinal))
            {
                var subs = subProjects.Where(s => s.ProjectCode == p.Code).OrderBy(s => s.Code, StringComparer.Ordinal)
                    .Select(s => SubReport(alliance, s, known.Where(e => e.SubProject == s.Code).ToList(), date)).ToList();
                var allocated = subs.Sum(s => s.Allocated + s.MovedIn - s.MovedOut - s.Returned);
                var spent = subs.Sum(s => s.Spent);
                projects.Add(new ProjectReport(alliance.Code, p.Code, p.Name, p.Phase, p.ClosedOn is { } c && c <= date ? c : null, subs.Sum(s => s.Budget),
                    allocated, spent, allocated - spent, Rate(spent, allocated), subs));
            }

            foreach (var cover in known.Where(e => e.PurchaseId is not null).GroupBy(e => (e.PurchaseId!, e.SubProject)))
            {
                var purchase = (await session.LoadAsync<PurchaseView>(StreamKeys.Purchase(cover.Key.Item1), ct))?.State;
                var usage = purchase?.Usage.Values.Sum(u => u.Count) ?? 0;
                var covered = Fen.ToAmount(cover.Sum(e => e.AmountFen));
                licences.Add(new CoveredLicence(alliance.Code, cover.Key.Item1, purchase?.Resource ?? "", cover.Key.SubProject, covered, usage,
                    usage > 0 ? Math.Round(covered / usage, 2, MidpointRounding.ToEven) : null));
            }
        }

        var all = projects.SelectMany(p => p.SubProjects).ToList();
        var totalAllocated = projects.Sum(p => p.Allocated);
        var totalSpent = projects.Sum(p => p.Spent);
        var totals = new FundingTotals(projects.Sum(p => p.Budget), totalAllocated, totalSpent, totalAllocated - totalSpent, Rate(totalSpent, totalAllocated),
            all.Sum(s => s.SubsidisedRequests), all.Sum(s => s.SubsidisedPages), all.Sum(s => s.RewardsPaid));
        return new FundingReport(department, reportDate, fiscalYear, projectFilter, projects, totals, licences, late, new ChainHeadResponse(0, ""),
            Alliances: alliances.Select(a => a.Code).ToList());
    }

    private static SubProjectReport SubReport(Alliance alliance, SubProject s, IReadOnlyList<FundingEntry> entries, DateOnly date)
    {
        long Sum(FundingKind kind) => entries.Where(e => e.Kind == kind).Sum(e => e.AmountFen);
        var spent = Sum(FundingKind.Spent);
        var allocated = Sum(FundingKind.Allocated);
        var net = allocated + Sum(FundingKind.MovedIn) - Sum(FundingKind.MovedOut) - Sum(FundingKind.Returned);
        var accepted = s.AcceptedOn is { } on && on <= date;
        var lines = s.Budget.Select(l => l.Line).Union(entries.Where(e => e.Kind == FundingKind.Spent && e.Line is not null).Select(e => e.Line!))
            .Select(line =>
            {
                var budget = s.Budget.FirstOrDefault(b => b.Line == line)?.BudgetFen ?? 0;
                var lineSpent = entries.Where(e => e.Kind == FundingKind.Spent && e.Line == line).Sum(e => e.AmountFen);
                return new LineReport(line, Fen.ToAmount(budget), Fen.ToAmount(lineSpent), Fen.ToAmount(budget - lineSpent));
            }).ToList();
        return new SubProjectReport(alliance.Code, s.ProjectCode, s.Code, s.Title, s.UndertakingMember, accepted ? "accepted" : "approved",
            accepted ? s.AcceptedOn : null, accepted ? s.Grade : null, accepted ? s.Score : null, Fen.ToAmount(s.Budget.Sum(b => b.BudgetFen)),
            Fen.ToAmount(allocated), Fen.ToAmount(Sum(FundingKind.Returned)), Fen.ToAmount(Sum(FundingKind.MovedIn)), Fen.ToAmount(Sum(FundingKind.MovedOut)),
            Fen.ToAmount(spent), Fen.ToAmount(net - spent), Rate(Fen.ToAmount(spent), Fen.ToAmount(net)),
            entries.Where(e => e.Kind != FundingKind.Withheld).Sum(e => e.SubsidisedRequests), entries.Sum(e => e.SubsidisedPages),
            Fen.ToAmount(entries.Sum(e => e.SubsidyFen)), Fen.ToAmount(entries.Sum(e => e.RewardFen)),
            Fen.ToAmount(entries.Where(e => e.PurchaseId is not null).Sum(e => e.AmountFen)), lines,
            entries.Where(e => e.Kind == FundingKind.Withheld).Sum(e => e.SubsidisedRequests), Fen.ToAmount(Sum(FundingKind.Withheld)));
    }

    /// <summary>Spent ÷ allocated, as a fraction with four decimals; none when nothing is allocated.</summary>
    private static decimal? Rate(decimal spent, decimal allocated) => allocated > 0 ? Math.Round(spent / allocated, 4, MidpointRounding.ToEven) : null;
}
