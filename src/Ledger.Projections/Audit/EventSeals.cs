using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>A key that seals events, named by its id (the first 16 hex digits of its SHA-256).</summary>
public sealed record SealKey(string Id, byte[] Secret)
{
    public static SealKey Of(byte[] secret) =>
        secret.Length < 32 ? throw new InvalidOperationException("a seal key must be at least 256 bits")
            : new SealKey(Convert.ToHexString(SHA256.HashData(secret))[..16].ToLowerInvariant(), secret);
}

/// <summary>The key that seals new events, and every key whose seals verification accepts (the current one and earlier ones).</summary>
public sealed class SealKeys(SealKey current, IEnumerable<SealKey>? previous = null)
{
    public SealKey Current { get; } = current;

    private readonly Dictionary<string, SealKey> known = new[] { current }.Concat(previous ?? []).DistinctBy(k => k.Id).ToDictionary(k => k.Id, StringComparer.Ordinal);

    public SealKey? Find(string id) => known.GetValueOrDefault(id);
}

/// <summary>
/// Seals: an HMAC-SHA256 per business event, computed by the application when the event is appended, in the same
/// transaction, with a key the database does not hold. The MAC covers the event's canonical form (the chain's form 2:
/// sequence, id, stream, version, type, timestamp, tenant, archived flag, user, correlation id, headers and data, the
/// JSON of the last two normalised so that what .NET wrote and what jsonb prints give the same text). So a row edited,
/// or inserted, with database access alone — at the tail too, before the chain reaches it — does not carry a valid
/// seal. One row in the table (sequence 0) records that sealing began and after which sequence: events at or below it
/// were recorded before and are covered by the chain only.
/// </summary>
public static class EventSeals
{
    public const string TableName = "audit_seals";

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // see AuditChain.Schema
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn("key_id", "text").NotNull();
        table.AddColumn("mac", "bytea").NotNull();
        table.AddColumn("began_after", "bigint");
        return table;
    }

    /// <summary>The MAC of an event as stored (its data and headers as jsonb prints them, or as .NET wrote them: both normalise alike).</summary>
    public static byte[] Mac(SealKey key, ChainedEvent e) =>
        HMACSHA256.HashData(key.Secret, Encoding.UTF8.GetBytes(AuditChain.Canonical(e with { Data = Json.Normalise(e.Data)!, Headers = Json.Normalise(e.Headers) })));

    /// <summary>The record that sealing began after a sequence (every later business event must carry a seal).</summary>
    public static byte[] GenesisMac(SealKey key, long beganAfter) =>
        HMACSHA256.HashData(key.Secret, Encoding.UTF8.GetBytes($"alliance-ledger/seals-began-after/{beganAfter.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>An event as Marten is about to commit it, in the chain's terms.</summary>
    public static ChainedEvent Of(IEvent e, ISerializer serializer) => new(e.Sequence, e.Id, e.StreamKey ?? "", e.Version, e.EventTypeName,
        serializer.ToJson(e.Data), e.Timestamp, e.TenantId, false, e.UserName, e.Headers is { Count: > 0 } h ? serializer.ToJson(h) : null, e.CorrelationId);

    /// <summary>Writes the seals of these events in the caller's transaction (one statement).</summary>
    public static async Task Write(NpgsqlConnection connection, NpgsqlTransaction? tx, string schema, SealKeys keys, IReadOnlyList<ChainedEvent> events,
        CancellationToken ct)
    {
        if (events.Count == 0) return;
        await using var insert = new NpgsqlCommand(
            $"insert into {schema}.{TableName} (seq, key_id, mac) select s, $2, m from unnest($1::bigint[], $3::bytea[]) as x(s, m)", connection, tx);
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = events.Select(e => e.Sequence).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys.Current.Id });
        insert.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => Mac(keys.Current, e)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Records that sealing began, once, on a ledger where every business event is sealed (a new one: after nothing).
    /// A ledger whose events were recorded before sealing existed is sealed by the operator's <c>seal</c> verb instead.
    /// An emptied seal table is never begun again by itself: verification then reports the events as unsealed.
    /// </summary>
    public static async Task BeginOnNewLedger(NpgsqlDataSource dataSource, string schema, SealKeys keys, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"insert into {schema}.{TableName} (seq, key_id, mac, began_after) select 0, $1, $2, 0 " +
            $"where not exists (select 1 from {schema}.{TableName}) " +
            $"and not exists (select 1 from {schema}.mt_events e where {AuditChain.BusinessEventFilter}) on conflict do nothing");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys.Current.Id });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = GenesisMac(keys.Current, 0) });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Seals every business event that has none (the operator's <c>seal</c> verb, once, when a ledger recorded before
    /// sealing existed is upgraded, after its chain verified intact) and records that sealing began after none.
    /// </summary>
    public static async Task<long> SealExisting(NpgsqlDataSource dataSource, string schema, SealKeys keys, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var events = new List<ChainedEvent>();
        await using (var read = new NpgsqlCommand(
                         $"select {AuditChain.EventColumns} from {schema}.mt_events e where {AuditChain.BusinessEventFilter} " +
                         $"and not exists (select 1 from {schema}.{TableName} s where s.seq = e.seq_id) order by e.seq_id", connection, tx)
        { CommandTimeout = 0 })
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) events.Add(AuditChain.Read(reader));
        foreach (var chunk in events.Chunk(5000)) await Write(connection, tx, schema, keys, chunk, ct);
        await using (var genesis = new NpgsqlCommand(
                         $"insert into {schema}.{TableName} (seq, key_id, mac, began_after) values (0, $1, $2, 0) " +
                         "on conflict (seq) do update set key_id = excluded.key_id, mac = excluded.mac, began_after = 0", connection, tx))
        {
            genesis.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keys.Current.Id });
            genesis.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = GenesisMac(keys.Current, 0) });
            await genesis.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return events.Count;
    }

    /// <summary>
    /// JSON in one form whatever wrote it: object keys in ordinal order, no white space, strings escaped alike, numbers
    /// as the decimal they denote (jsonb prints 1E+2 as 100; .NET writes 12.50m as 12.50, and jsonb keeps that).
    /// </summary>
    public static class Json
    {
        public static string? Normalise(string? json)
        {
            if (string.IsNullOrEmpty(json)) return json;
            using var document = JsonDocument.Parse(json);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer)) Write(writer, document.RootElement);
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        private static void Write(Utf8JsonWriter w, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    w.WriteStartObject();
                    foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        w.WritePropertyName(p.Name);
                        Write(w, p.Value);
                    }
                    w.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    w.WriteStartArray();
                    foreach (var item in e.EnumerateArray()) Write(w, item);
                    w.WriteEndArray();
                    break;
                case JsonValueKind.Number:
                    if (decimal.TryParse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) w.WriteRawValue(d.ToString(CultureInfo.InvariantCulture));
                    else w.WriteRawValue(e.GetRawText());
                    break;
                default:
                    e.WriteTo(w);
                    break;
            }
        }
    }
}

/// <summary>
/// Seals the events of one session in its own transaction, after Marten has written them (so their sequence numbers,
/// versions and timestamps are known) and before it commits. Marten may call it again on a fresh transaction when it
/// retries a commit: it writes the seals afresh each time.
/// </summary>
public sealed class SealParticipant(IDocumentSession session, string schema, SealKeys keys) : ITransactionParticipant
{
    private readonly ISerializer serializer = session.DocumentStore.Options.Serializer();

    public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
    {
        var events = session.PendingChanges.Streams().SelectMany(s => s.Events).Select(e => EventSeals.Of(e, serializer)).ToList();
        await EventSeals.Write(connection, transaction, schema, keys, events, token);
    }
}
