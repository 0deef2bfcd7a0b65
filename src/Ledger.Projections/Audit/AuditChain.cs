using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>One stored event as the chain reads it (straight from mt_events, not through any projection).</summary>
public sealed record ChainedEvent(long Sequence, Guid Id, string Stream, long Version, string Type, string Data, DateTimeOffset Timestamp, string Tenant);

/// <summary>The chain's head: the last chained sequence and the hash there.</summary>
public sealed record ChainHead(long Sequence, string Hash);

/// <summary>What verification found: the head it checked up to, and the first sequence that does not match, if any.</summary>
public sealed record ChainVerification(bool Intact, long CheckedUpTo, long Events, long? FirstMismatchSequence, string? Problem);

/// <summary>
/// The tamper-evident hash chain over every stored event, across all alliances, in global sequence order:
/// hash(n) = SHA-256(hash(n−1) ‖ canonical(event n)), hash(0) = 32 zero bytes. The canonical form names the
/// sequence, id, stream, version, stored type, timestamp (UTC, microseconds), tenant and the data as PostgreSQL's jsonb
/// prints it (keys in jsonb's fixed order), so it does not depend on any .NET serializer.
/// </summary>
public static class AuditChain
{
    public const string TableName = "audit_chain";
    public static readonly byte[] Genesis = new byte[32];

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // the replacement needs an identifier-usage enum Weasel does not document yet; the name is a plain table
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn<Guid>("event_id").NotNull();
        table.AddColumn("hash", "text").NotNull();
        table.AddColumn("chained_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    public static string Canonical(ChainedEvent e) => string.Join('|',
        e.Sequence.ToString(CultureInfo.InvariantCulture), e.Id.ToString("D"), e.Stream, e.Version.ToString(CultureInfo.InvariantCulture), e.Type,
        e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), e.Tenant, e.Data);

    public static byte[] Next(byte[] previous, ChainedEvent e)
    {
        var canonical = Encoding.UTF8.GetBytes(Canonical(e));
        var buffer = new byte[previous.Length + canonical.Length];
        previous.CopyTo(buffer, 0);
        canonical.CopyTo(buffer, previous.Length);
        return SHA256.HashData(buffer);
    }

    public static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    internal const string EventColumns = "e.seq_id, e.id, e.stream_id, e.version, e.type, e.data::text, e.timestamp, e.tenant_id";

    internal static ChainedEvent Read(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetInt64(3), r.GetString(4),
        r.GetString(5), r.GetFieldValue<DateTimeOffset>(6), r.GetString(7));
}
