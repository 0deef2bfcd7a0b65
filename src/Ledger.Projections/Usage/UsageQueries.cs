using JasperFx.Events;
using Marten;

namespace Ledger.Projections.Usage;

/// <summary>
/// Usage as it was known at an instant. The async projection counts every event by its business month whenever it
/// was recorded; for a past instant the events recorded after it (that the projection has already counted) are
/// folded into documents of their own and taken away, so a report for a past date does not change afterwards.
/// </summary>
public static class UsageQueries
{
    /// <summary>The projection's shard as the async daemon names it in mt_event_progression.</summary>
    public static readonly string Shard = UsageProjection.StorageVersion > 1 ? $"UsageMonth:V{UsageProjection.StorageVersion}:All" : "UsageMonth:All";

    public sealed record Late(IReadOnlyDictionary<string, UsageMonth> Documents, int EventCount);

    /// <summary>
    /// The usage events with business dates in [first, last] recorded after <paramref name="knownAt"/> and no later
    /// than the projection's progress, folded per document key; with a member or service, only that member's or service's
    /// documents (and only the events that touch them are counted).
    /// </summary>
    public static async Task<Late> RecordedAfter(IQuerySession session, DateTimeOffset knownAt, DateOnly first, DateOnly last,
        string? member, string? service, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var progress = await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0)::bigint from {schema}.mt_event_progression where name = ?", ct, Shard);
        var names = UsageProjection.EventTypes.Select(t => LedgerEvents.StoredNames[t]).ToArray();
        var sequences = await session.AdvancedSql.QueryAsync<long>(
            $"select seq_id from {schema}.mt_events where tenant_id = ? and timestamp > ? and seq_id <= ? and type = any(?) " +
            "and (data ->> 'BusinessDate')::date between ? and ?",
            ct, session.TenantId, knownAt.ToUniversalTime(), progress.Single(), names, first, last);
        var docs = new Dictionary<string, UsageMonth>(StringComparer.Ordinal);
        if (sequences.Count == 0) return new Late(docs, 0);

        var ids = sequences.ToArray();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence.IsOneOf(ids)).ToListAsync(ct);
        var counted = 0;
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            var touched = false;
            foreach (var key in UsageProjection.KeysOf(e.Data))
            {
                var doc = docs.GetValueOrDefault(key) ?? UsageProjection.New(key);
                if ((member is not null && doc.Member != member) || (service is not null && doc.Service != service)) continue;
                docs[key] = doc;
                UsageRules.Apply(doc, e.Data);
                touched = true;
            }
            if (touched) counted++;
        }
        return new Late(docs, counted);
    }
}
