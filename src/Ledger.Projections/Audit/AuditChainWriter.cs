using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections.Audit;

/// <summary>
/// Extends the chain to every event that is safely committed, and verifies it. "Safely" is exact, not a timeout: the
/// writer notes the highest sequence together with a snapshot, then waits until every transaction that was running at
/// that snapshot has ended. Every command takes its transaction id before Marten hands out sequence numbers (see
/// CommandRunner), so no sequence at or below the noted one can appear later.
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

    /// <summary>The highest sequence below which every event that will ever be committed is committed now.</summary>
    public async Task<long> SafeHighWater(CancellationToken ct)
    {
        long highest;
        string snapshot;
        await using (var command = dataSource.CreateCommand($"select pg_current_snapshot()::text, coalesce(max(seq_id), 0)::bigint from {Events}"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            snapshot = reader.GetString(0);
            highest = reader.GetInt64(1);
        }
        for (var wait = 5; ; wait = Math.Min(wait * 2, 200))
        {
            await using var done = dataSource.CreateCommand("select pg_snapshot_xmin(pg_current_snapshot()) >= pg_snapshot_xmax($1::pg_snapshot)");
            done.Parameters.Add(new NpgsqlParameter<string> { TypedValue = snapshot });
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
                             $"select {AuditChain.EventColumns} from {Events} e where e.seq_id > $1 and e.seq_id <= $2 order by e.seq_id limit {Batch}", connection, tx))
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head.Sequence });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) events.Add(AuditChain.Read(reader));
            }
            if (events.Count == 0) return head;

            var hash = Convert.FromHexString(head.Hash);
            await using (var writer = await connection.BeginBinaryImportAsync($"copy {Links} (seq, event_id, hash) from stdin (format binary)", ct))
            {
                foreach (var e in events)
                {
                    hash = AuditChain.Next(hash, e);
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(AuditChain.Hex(hash), NpgsqlDbType.Text, ct);
                }
                await writer.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>
    /// Recomputes the chain from the stored events up to the chained head and names the first sequence where an event
    /// was changed, removed or slipped in.
    /// </summary>
    public async Task<ChainVerification> Verify(CancellationToken ct)
    {
        var head = await Head(ct);
        var hash = AuditChain.Genesis;
        long count = 0;
        await using var command = dataSource.CreateCommand(
            $"select coalesce(e.seq_id, a.seq), {AuditChain.EventColumns}, a.hash, e.seq_id is null, a.seq is null " +
            $"from {Events} e full outer join {Links} a on a.seq = e.seq_id where coalesce(e.seq_id, a.seq) <= $1 order by 1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head.Sequence });
        command.CommandTimeout = 0; // one pass over every event: at 10,000,000 the join needs more than the default 30 s before its first row
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var sequence = reader.GetInt64(0);
            if (reader.GetBoolean(10)) return new ChainVerification(false, head.Sequence, count, sequence, "the chained event is missing from the store");
            if (reader.GetBoolean(11)) return new ChainVerification(false, head.Sequence, count, sequence, "an event the chain never saw is in the store");
            var e = new ChainedEvent(reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5),
                reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8));
            hash = AuditChain.Next(hash, e);
            count++;
            if (AuditChain.Hex(hash) != reader.GetString(9))
                return new ChainVerification(false, head.Sequence, count, sequence, "the stored event differs from the one chained");
        }
        return new ChainVerification(true, head.Sequence, count, null, null);
    }
}
