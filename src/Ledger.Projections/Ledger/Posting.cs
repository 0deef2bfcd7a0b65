using JasperFx.Events;
using Ledger.Domain.Ledger;
using Marten;
using Marten.Events.Projections;

namespace Ledger.Projections.Ledger;

/// <summary>
/// One leg of the double-entry ledger, derived from the event that moved the money. Balances are sums of these;
/// statements list them; every one names its source event, stream, version and sequence for drill-down.
/// </summary>
public sealed class Posting
{
    public string Id { get; set; } = "";
    [Column]
    public string Account { get; set; } = "";
    [Column]
    public long AmountFen { get; set; }
    public string[] CounterAccounts { get; set; } = [];
    public DateOnly BusinessDate { get; set; }
    [Column]
    public DateTimeOffset RecordedAt { get; set; }
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
    public string StreamKey { get; set; } = "";
    public long StreamVersion { get; set; }
    [Column]
    public long Sequence { get; set; }

    /// <summary>The line's position among its event's lines (the id is "{event id}:{index}").</summary>
    public int Index { get; set; }
    public string? RecordedBy { get; set; }
    public string? RecordedByRole { get; set; }
}

/// <summary>Writes the postings of every money event in the same transaction as the event (inline).</summary>
public sealed partial class PostingProjection : EventProjection
{
    public PostingProjection()
    {
        foreach (var type in LedgerEvents.MoneyEventTypes) IncludeType(type);
        Options.BatchSize = Rebuilds.BatchSize;
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        // Insert, not upsert: a posting is written once, by its event; a rebuild can then COPY them in bulk.
        var postings = Of(e).ToList();
        foreach (var posting in postings) operations.Insert(posting);
        AccountDays.Sums.Change(operations, e.TenantId, postings);
        return ValueTask.CompletedTask;
    }

    /// <summary>The postings an event makes (none for an event that moves no money).</summary>
    public static IEnumerable<Posting> Of(IEvent e)
    {
        var lines = PostingRules.For(e.Data);
        var date = PostingRules.BusinessDate(e.Data);
        if (lines.Count == 0 || date is null) yield break;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            yield return new Posting
            {
                Id = $"{e.Id}:{i}",
                Account = line.Account,
                AmountFen = line.AmountFen,
                CounterAccounts = lines.Where(l => l.Account != line.Account).Select(l => l.Account).Distinct().ToArray(),
                BusinessDate = date.Value,
                RecordedAt = e.Timestamp,
                EventId = e.Id,
                EventType = e.EventTypeName,
                StreamKey = e.StreamKey ?? "",
                StreamVersion = e.Version,
                Sequence = e.Sequence,
                Index = i,
                RecordedBy = e.UserName,
                RecordedByRole = LedgerMetadata.Role(e),
            };
        }
    }
}
