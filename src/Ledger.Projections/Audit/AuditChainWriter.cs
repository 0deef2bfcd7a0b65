using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections.Audit;

/// <summary>
/// Extends the chain to every business event that is safely committed, and verifies it. "Safely" is exact, not a
/// timeout: the writer notes the highest committed sequence, takes a transaction id of its own, and waits until no
/// transaction with an id up to it is running (see <see cref="SafeHighWater"/>). Every command takes its transaction
/// id before Marten hands out sequence numbers (see SettlementLocks), so no sequence at or below the noted one can
/// appear later — except Marten's tombstones, which are not business events and are never chained.
/// </summary>
public sealed class AuditChainWriter(NpgsqlDataSource dataSource, string schema)
{
    private const int Batch = 2000;
    private string Events => $"{schema}.mt_events";
    private string Links => $"{schema}.{AuditChain.TableName}";

    public async Task<ChainHead> Head(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select seq, hash from {Links} order by seq desc limit 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ChainHead(reader.GetInt64(0), reader.GetString(1)) : new ChainHead(0, AuditChain.Hex(AuditChain.Genesis));
    }

    /// <summary>The link at a sequence, or the last one before it (the chain as it stood once that sequence was reached).</summary>
    public async Task<ChainHead?> At(long sequence, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select seq, hash from {Links} where seq <= $1 order by seq desc limit 1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ChainHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// The highest sequence below which every event that will ever be committed is committed now. It notes the highest
    /// committed sequence, then takes a transaction id X of its own: a transaction that can still commit a lower
    /// sequence took that sequence before the note, and so its transaction id before X (every command takes its id
    /// first, see SettlementLocks). Once no transaction with an id up to X is running, none can. (Comparing snapshots
    /// alone is not enough: a snapshot's xmax is one past the highest completed id, so a transaction holding a newer id
    /// is not in it.)
    /// </summary>
    public async Task<long> SafeHighWater(CancellationToken ct)
    {
        long highest;
        string mark;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await using (var command = new NpgsqlCommand($"select coalesce(max(seq_id), 0)::bigint from {Events}", connection))
                highest = (long)(await command.ExecuteScalarAsync(ct))!;
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var command = new NpgsqlCommand("select pg_current_xact_id()::text", connection, tx))
                mark = (string)(await command.ExecuteScalarAsync(ct))!;
            await tx.CommitAsync(ct);
        }
        for (var wait = 2; ; wait = Math.Min(wait * 2, 200))
        {
            await using var done = dataSource.CreateCommand("select pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8");
            done.Parameters.Add(new NpgsqlParameter<string> { TypedValue = mark });
            if ((bool)(await done.ExecuteScalarAsync(ct))!) return highest;
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>
    /// Chains every safely committed event not chained yet and returns the new head. Writers (the background service,
    /// the verify command, tests) may run at once: each batch is written under a lock and starts from the head it reads
    /// under that lock.
    /// </summary>
    public async Task<ChainHead> CatchUp(CancellationToken ct)
    {
        var upTo = await SafeHighWater(ct);
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var lockChain = new NpgsqlCommand($"select pg_advisory_xact_lock(hashtextextended('alliance-ledger/audit-chain/{schema}', 0))", connection, tx))
                await lockChain.ExecuteNonQueryAsync(ct);

            var head = new ChainHead(0, AuditChain.Hex(AuditChain.Genesis));
            await using (var last = new NpgsqlCommand($"select seq, hash from {Links} order by seq desc limit 1", connection, tx))
            await using (var reader = await last.ExecuteReaderAsync(ct))
                if (await reader.ReadAsync(ct)) head = new ChainHead(reader.GetInt64(0), reader.GetString(1));
            if (head.Sequence >= upTo) return head;

            var events = new List<ChainedEvent>(Batch);
            await using (var command = new NpgsqlCommand(
                             $"select {AuditChain.EventColumns} from {Events} e where e.seq_id > $1 and e.seq_id <= $2 and {AuditChain.BusinessEventFilter} " +
                             $"order by e.seq_id limit {Batch}", connection, tx))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head.Sequence });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) events.Add(AuditChain.Read(reader));
            }
            if (events.Count == 0)
            {
                // Nothing but tombstones (or nothing) up to the mark: the head stays where it is.
                return head;
            }

            var hash = Convert.FromHexString(head.Hash);
            await using (var writer = await connection.BeginBinaryImportAsync($"copy {Links} (seq, event_id, hash, form, fields) from stdin (format binary)", ct))
            {
                foreach (var e in events)
                {
                    hash = AuditChain.Next(hash, e);
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(AuditChain.Hex(hash), NpgsqlDbType.Text, ct);
                    await writer.WriteAsync(AuditChain.CurrentForm, NpgsqlDbType.Smallint, ct);
                    await writer.WriteAsync(AuditChain.FieldDigests(e), NpgsqlDbType.Bytea, ct);
                }
                await writer.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>
    /// Recomputes the chain from the stored business events up to the chained head and names the first sequence where
    /// an event was changed (and which of its fields), removed, or slipped in.
    /// </summary>
    public async Task<ChainVerification> Verify(CancellationToken ct)
    {
        var head = await Head(ct);
        var hash = AuditChain.Genesis;
        long count = 0;
        const int at = 1 + AuditChain.EventColumnCount;
        await using var command = dataSource.CreateCommand(
            $"select coalesce(e.seq_id, a.seq), {AuditChain.EventColumns}, a.hash, e.seq_id is null, a.seq is null, a.form, a.fields " +
            $"from (select * from {Events} e where {AuditChain.BusinessEventFilter}) e full outer join {Links} a on a.seq = e.seq_id " +
            "where coalesce(e.seq_id, a.seq) <= $1 order by 1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head.Sequence });
        command.CommandTimeout = 0; // one pass over every event: at 10,000,000 the join needs more than the default 30 s before its first row
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            if (reader.GetBoolean(at + 1)) return new ChainVerification(false, head.Sequence, count, sequence, "the chained event is missing from the store");
            if (reader.GetBoolean(at + 2)) return new ChainVerification(false, head.Sequence, count, sequence, "an event the chain never saw is in the store");
            var e = AuditChain.Read(reader, 1);
            var form = reader.GetInt16(at + 3);
            hash = AuditChain.Next(hash, e, form);
            count++;
            if (AuditChain.Hex(hash) == reader.GetString(at)) continue;
            if (reader.IsDBNull(at + 4))
                return new ChainVerification(false, head.Sequence, count, sequence, "the stored event differs from the one chained");
            var differs = AuditChain.Differing(reader.GetFieldValue<byte[]>(at + 4), e);
            return differs.Count > 0
                ? new ChainVerification(false, head.Sequence, count, sequence, $"the stored event differs from the one chained in: {string.Join(", ", differs)}", differs)
                : new ChainVerification(false, head.Sequence, count, sequence, "the chain's link was altered (the event's fields are as chained)");
        }
        return new ChainVerification(true, head.Sequence, count, null, null);
    }
}
