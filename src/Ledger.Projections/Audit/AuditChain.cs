using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>
/// One stored event as the chain reads it (straight from mt_events, not through any projection): everything that gives
/// it its meaning, the archived flag, who recorded it and its headers (role, correlation) included.
/// </summary>
public sealed record ChainedEvent(long Sequence, Guid Id, string Stream, long Version, string Type, string Data, DateTimeOffset Timestamp, string Tenant,
    bool Archived = false, string? User = null, string? Headers = null, string? Correlation = null);

/// <summary>The chain's head: the last chained sequence and the hash there.</summary>
public sealed record ChainHead(long Sequence, string Hash);

/// <summary>
/// What verification found: the head it checked up to, how many business events it recomputed, and the first sequence
/// that does not match, with what is wrong there and, for a changed event, which of its fields differ.
/// </summary>
public sealed record ChainVerification(bool Intact, long CheckedUpTo, long Events, long? FirstMismatchSequence, string? Problem,
    IReadOnlyList<string>? Differs = null, bool? CheckpointMatches = null)
{
    /// <summary>The hash recomputed from the stored events at the checkpoint's sequence (when one was asked for).</summary>
    public string? HashAtCheckpoint { get; init; }
}

/// <summary>
/// The tamper-evident hash chain over every stored business event, across all alliances of a database, in global
/// sequence order: hash(n) = SHA-256(hash(n−1) ‖ canonical(event n)), hash(0) = 32 zero bytes.
///
/// The canonical form (form 2) names, separated by '|': sequence, id, stream, version, stored type, timestamp (UTC,
/// microseconds), tenant, archived flag, user name, correlation id, headers and data, the last two as PostgreSQL's jsonb
/// prints them (keys in jsonb's fixed order), so it does not depend on any .NET serializer. Each link also keeps four
/// bytes of SHA-256 per field, so verification can say which field of a changed event differs. Links written before
/// form 2 (form 1: sequence to tenant, then data) are verified in their own form.
///
/// Rows that are not business events — Marten's tombstones, which it writes under the sequence numbers of a failed
/// append — are never chained and never verified: they carry no meaning, so they cannot hide or fake one, and a
/// chained business event turned into one is named as missing.
/// </summary>
public static class AuditChain
{
    public const string TableName = "audit_chain";
    public const short CurrentForm = 2;
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>The names of the fields of form 2, in the order their digests are kept.</summary>
    public static readonly string[] Fields =
        ["sequence", "id", "stream", "version", "type", "timestamp", "tenant", "archived", "user", "correlation", "headers", "data"];

    private const int FieldDigestBytes = 4;

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // the replacement needs an identifier-usage enum Weasel does not document yet; the name is a plain table
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<Guid>("event_id").NotNull();
        table.AddColumn("hash", "text").NotNull();
        table.AddColumn("chained_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        table.AddColumn("form", "smallint").NotNull().DefaultValueByExpression("1");
        table.AddColumn("fields", "bytea");
        return table;
    }

    /// <summary>A Marten tombstone: the placeholder it stores under the sequence numbers of an append that failed.</summary>
    public const string TombstoneFilter = "e.type = 'tombstone' and e.stream_id = '" + TombstoneStream + "'";

    /// <summary>The stream Marten files its tombstones under.</summary>
    public const string TombstoneStream = "mt_tombstone";

    /// <summary>The stored type of Marten's tombstones (a business event's type always carries its version, "v1.").</summary>
    public const string TombstoneType = "tombstone";

    /// <summary>The same test in .NET, for a row read whole (the rebuild's fold).</summary>
    public static bool IsTombstone(string type, string? stream) => type == TombstoneType && stream == TombstoneStream;

    /// <summary>Only business events, for every query over mt_events that means them.</summary>
    public const string BusinessEventFilter = "not (" + TombstoneFilter + ")";

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string[] Values(ChainedEvent e) =>
    [
        e.Sequence.ToString(CultureInfo.InvariantCulture), e.Id.ToString("D"), e.Stream, e.Version.ToString(CultureInfo.InvariantCulture), e.Type,
        Stamp(e.Timestamp), e.Tenant, e.Archived ? "archived" : "live", e.User ?? "", e.Correlation ?? "", e.Headers ?? "", e.Data,
    ];

    public static string Canonical(ChainedEvent e, short form = CurrentForm) => form == 1
        ? string.Join('|', e.Sequence.ToString(CultureInfo.InvariantCulture), e.Id.ToString("D"), e.Stream, e.Version.ToString(CultureInfo.InvariantCulture),
            e.Type, Stamp(e.Timestamp), e.Tenant, e.Data)
        : string.Join('|', Values(e));

    public static byte[] Next(byte[] previous, ChainedEvent e, short form = CurrentForm)
    {
        var canonical = Encoding.UTF8.GetBytes(Canonical(e, form));
        var buffer = new byte[previous.Length + canonical.Length];
        previous.CopyTo(buffer, 0);
        canonical.CopyTo(buffer, previous.Length);
        return SHA256.HashData(buffer);
    }

    /// <summary>Four bytes of SHA-256 per field: enough to say which field changed (the chain's hash is what proves it).</summary>
    public static byte[] FieldDigests(ChainedEvent e)
    {
        var values = Values(e);
        var digests = new byte[values.Length * FieldDigestBytes];
        for (var i = 0; i < values.Length; i++)
            SHA256.HashData(Encoding.UTF8.GetBytes(values[i])).AsSpan(0, FieldDigestBytes).CopyTo(digests.AsSpan(i * FieldDigestBytes));
        return digests;
    }

    /// <summary>The fields whose digests differ from the ones kept when the event was chained.</summary>
    public static IReadOnlyList<string> Differing(byte[] kept, ChainedEvent now)
    {
        var current = FieldDigests(now);
        return Fields.Where((_, i) => !kept.AsSpan(i * FieldDigestBytes, FieldDigestBytes).SequenceEqual(current.AsSpan(i * FieldDigestBytes, FieldDigestBytes)))
            .ToList();
    }

    public static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    /// <summary>The columns <see cref="Read"/> reads, in its order (an alias <c>e</c> for mt_events).</summary>
    internal const string EventColumns =
        "e.seq_id, e.id, e.stream_id, e.version, e.type, e.data::text, e.timestamp, e.tenant_id, e.is_archived, e.user_name, e.headers::text, e.correlation_id";

    internal const int EventColumnCount = 12;

    internal static ChainedEvent Read(NpgsqlDataReader r, int at = 0) => new(r.GetInt64(at), r.GetGuid(at + 1), r.GetString(at + 2), r.GetInt64(at + 3),
        r.GetString(at + 4), r.GetString(at + 5), r.GetFieldValue<DateTimeOffset>(at + 6), r.GetString(at + 7),
        !r.IsDBNull(at + 8) && r.GetBoolean(at + 8), r.IsDBNull(at + 9) ? null : r.GetString(at + 9), r.IsDBNull(at + 10) ? null : r.GetString(at + 10),
        r.IsDBNull(at + 11) ? null : r.GetString(at + 11));
}
