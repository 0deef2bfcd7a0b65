using JasperFx.Events;
using Ledger.Domain.Funding;
using Marten;
using Marten.Events.Projections;

namespace Ledger.Projections.Funding;

public sealed class ProjectView : StateView<Project>;

public sealed partial class ProjectProjection : DeciderProjection<ProjectView, Project, IProjectEvent>
{
    protected override Project Fold(Project? state, IProjectEvent e) => ProjectDecider.Evolve(state, e);
}

public sealed class SubProjectView : StateView<SubProject>;

public sealed partial class SubProjectProjection : DeciderProjection<SubProjectView, SubProject, ISubProjectEvent>
{
    protected override SubProject Fold(SubProject? state, ISubProjectEvent e) => SubProjectDecider.Evolve(state, e);
}

/// <summary>One movement of a sub-project's funds with when it happened (business date) and when it was recorded.</summary>
public sealed class FundingEntry
{
    public string Id { get; set; } = "";
    public string SubProject { get; set; } = "";
    [Column]
    public string? Line { get; set; }
    [Column]
    public FundingKind Kind { get; set; }
    [Column]
    public long AmountFen { get; set; }

    /// <summary>What the entry adds to the funds still available: + for allocated and moved in, − otherwise.</summary>
    [Column]
    public long SignedFen { get; set; }
    [Column]
    public int? FiscalYear { get; set; }
    [Column]
    public int SubsidisedRequests { get; set; }
    [Column]
    public int SubsidisedPages { get; set; }
    [Column]
    public long SubsidyFen { get; set; }
    [Column]
    public long RewardFen { get; set; }
    [Column]
    public string? PurchaseId { get; set; }
    [Column]
    public DateOnly BusinessDate { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public long Sequence { get; set; }
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
}

/// <summary>Writes the funding movements of every event in the same transaction as the event (inline), like postings.</summary>
public sealed partial class FundingEntryProjection : EventProjection
{
    public FundingEntryProjection()
    {
        foreach (var type in LedgerEvents.FundingEventTypes) IncludeType(type);
        Options.BatchSize = Rebuilds.BatchSize;
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        var entries = Of(e).ToList();
        foreach (var entry in entries)
        {
            operations.Insert(entry);
            GrantFunds.Change(operations, e.TenantId, entry.SubProject, entry.SignedFen);
        }
        FundingDays.Sums.Change(operations, e.TenantId, entries);
        return ValueTask.CompletedTask;
    }

    /// <summary>The funding entries an event makes (none for an event that moves no funds).</summary>
    public static IEnumerable<FundingEntry> Of(IEvent e)
    {
        var movements = FundingRules.For(e.Data);
        var date = Domain.Ledger.PostingRules.BusinessDate(e.Data) ?? BusinessDate(e.Data);
        for (var i = 0; i < movements.Count; i++)
        {
            var m = movements[i];
            yield return new FundingEntry
            {
                Id = $"{e.Id}:{i}",
                SubProject = m.SubProject,
                Line = m.Line,
                Kind = m.Kind,
                AmountFen = m.AmountFen,
                SignedFen = m.SignedFen,
                FiscalYear = m.FiscalYear,
                SubsidisedRequests = m.SubsidisedRequests,
                SubsidisedPages = m.SubsidisedPages,
                SubsidyFen = m.SubsidyFen,
                RewardFen = m.RewardFen,
                PurchaseId = m.PurchaseId,
                BusinessDate = date ?? DateOnly.FromDateTime(e.Timestamp.UtcDateTime),
                RecordedAt = e.Timestamp,
                Sequence = e.Sequence,
                EventId = e.Id,
                EventType = e.EventTypeName,
            };
        }
    }

    private static DateOnly? BusinessDate(object data) => data switch
    {
        Domain.Purchases.PurchaseCovered c => c.BusinessDate,
        _ => null,
    };
}

public static class FundingQueries
{
    /// <summary>
    /// What a sub-project can still spend: its running total (one row). Read without a lock: a command that spends
    /// on this figure is checked again at commit by <see cref="GrantFunds"/>.
    /// </summary>
    public static async Task<long> AvailableFen(IQuerySession session, string subProject, CancellationToken ct)
    {
        var rows = await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce((select available_fen from {session.DocumentStore.Options.DatabaseSchemaName}.{GrantFunds.TableName} " +
            "where tenant_id = ? and sub_project = ?), 0)::bigint",
            ct, session.TenantId, subProject);
        return rows.Single();
    }

    /// <summary>The same as one SQL sum over the sub-project's funding entries (what the running total must always equal).</summary>
    public static async Task<long> SumOfEntriesFen(IQuerySession session, string subProject, CancellationToken ct)
    {
        var rows = await session.AdvancedSql.QueryAsync<long>(
            "select coalesce(sum(d.signed_fen), 0)::bigint " +
            $"from {session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_fundingentry d where d.tenant_id = ? and d.sub_project = ?",
            ct, session.TenantId, subProject);
        return rows.Single();
    }

    /// <summary>
    /// A tenant's funding entries dated on or before <paramref name="date"/> and recorded by <paramref name="knownAt"/>,
    /// summed per sub-project, kind, line, purchase and fiscal year in SQL: one entry-shaped row per group, so a report
    /// over years of subsidised requests reads a few rows instead of every entry.
    /// </summary>
    public static async Task<IReadOnlyList<FundingEntry>> KnownTotals(IQuerySession session, DateOnly date, DateTimeOffset knownAt, int? fiscalYear,
        DateTimeOffset now, CancellationToken ct)
    {
        // Known now (not before the host's clock, which stamps every event): the day sums hold the same totals.
        if (DaySums.Answer(knownAt, now))
            return await session.AdvancedSql.QueryAsync<FundingEntry>(
                "select jsonb_build_object('SubProject', sub_project, 'Kind', kind, 'Line', line, 'PurchaseId', purchase_id, 'FiscalYear', fiscal_year, " +
                "'SignedFen', sum(signed_fen), 'AmountFen', sum(amount_fen), 'SubsidisedRequests', sum(subsidised_requests), " +
                "'SubsidisedPages', sum(subsidised_pages), 'SubsidyFen', sum(subsidy_fen), 'RewardFen', sum(reward_fen)) " +
                $"from {session.DocumentStore.Options.DatabaseSchemaName}.{FundingDays.TableName} " +
                "where tenant_id = ? and business_date <= ? and (?::int is null or fiscal_year = ?::int) " +
                "group by sub_project, kind, line, purchase_id, fiscal_year",
                ct, session.TenantId, date, fiscalYear!, fiscalYear!);

        return await session.AdvancedSql.QueryAsync<FundingEntry>(
            "select jsonb_build_object('SubProject', sub_project, 'Kind', kind, 'Line', line, 'PurchaseId', purchase_id, 'FiscalYear', fiscal_year, " +
            "'SignedFen', sum(signed_fen), 'AmountFen', sum(amount_fen), 'SubsidisedRequests', sum(subsidised_requests), " +
            "'SubsidisedPages', sum(subsidised_pages), 'SubsidyFen', sum(subsidy_fen), 'RewardFen', sum(reward_fen)) " +
            $"from {session.DocumentStore.Options.DatabaseSchemaName}.mt_doc_fundingentry " +
            "where tenant_id = ? and business_date <= ? and recorded_at <= ? and (?::int is null or fiscal_year = ?::int) " +
            "group by sub_project, kind, line, purchase_id, fiscal_year",
            ct, session.TenantId, date, knownAt.ToUniversalTime(), fiscalYear!, fiscalYear!);
    }
}
