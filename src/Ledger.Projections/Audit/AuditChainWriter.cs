using System.Security.Cryptography;
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
public sealed class AuditChainWriter(NpgsqlDataSource dataSource, string schema, SealKeys keys)
{
    private string Seals => $"{schema}.{EventSeals.TableName}";

    /// <summary>Records that sealing began, on a ledger all of whose events are sealed (a new one); see <see cref="EventSeals.BeginOnNewLedger"/>.</summary>
    public Task BeginSealing(CancellationToken ct) => EventSeals.BeginOnNewLedger(dataSource, schema, keys, ct);

    private string Checkpoints => $"{schema}.{Checkpoint.TableName}";

    /// <summary>Issues a signed checkpoint of the chain as it stands now (after catching up), and keeps it.</summary>
    public async Task<Checkpoint> IssueCheckpoint(string database, DateTimeOffset now, CancellationToken ct)
    {
        var checkpoint = Checkpoint.Sign(keys.Current, database, await CatchUp(ct), now);
        await using var insert = dataSource.CreateCommand(
            $"insert into {Checkpoints} (seq, issued_at, hash, key_id, signature) values ($1, $2, $3, $4, $5) on conflict do nothing");
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = checkpoint.Sequence });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = checkpoint.IssuedAt });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.Hash });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.KeyId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checkpoint.Signature });
        await insert.ExecuteNonQueryAsync(ct);
        return checkpoint;
    }

    /// <summary>The checkpoints issued, newest first.</summary>
    public async Task<IReadOnlyList<Checkpoint>> IssuedCheckpoints(string database, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select seq, hash, issued_at, key_id, signature from {Checkpoints} order by issued_at desc, seq desc limit $1");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<Checkpoint>();
        while (await reader.ReadAsync(ct))
            list.Add(new Checkpoint(database, reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetString(4)));
        return list;
    }

    /// <summary>The newest checkpoint's sequence, or 0 (the schedule issues one only when the chain has moved on).</summary>
    public async Task<long> LastCheckpointSequence(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select coalesce(max(seq), 0) from {Checkpoints}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Verification against a checkpoint the auditor kept: its signature, the whole chain and every seal as
    /// <see cref="Verify"/> checks them, and the hash recomputed from the stored events up to its sequence, which must
    /// be the checkpoint's.
    /// </summary>
    public async Task<ChainVerification> VerifyAgainst(Checkpoint checkpoint, CancellationToken ct)
    {
        if (!checkpoint.SignedBy(keys))
            return new ChainVerification(false, 0, 0, checkpoint.Sequence, "the checkpoint was not signed by this ledger", null, false);
        var result = await Verify(ct, checkpoint.Sequence);
        if (!result.Intact) return result with { CheckpointMatches = false };
        if (result.HashAtCheckpoint != checkpoint.Hash)
            return result with
            {
                Intact = false,
                FirstMismatchSequence = checkpoint.Sequence,
                CheckpointMatches = false,
                Problem = "the stored events up to the checkpoint no longer give its hash: something up to it was changed, deleted, reordered or slipped in",
            };
        return result with { CheckpointMatches = true };
    }

    /// <summary>Seals every business event recorded before sealing existed (the operator's <c>seal</c> verb).</summary>
    public Task<long> SealExisting(CancellationToken ct) => EventSeals.SealExisting(dataSource, schema, keys, ct);

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
    /// an event was changed (and which of its fields), removed, or slipped in; and checks every business event's seal,
    /// the ones not chained yet included, so a row forged or edited with database access alone is named wherever it is.
    /// From a link already verified (<paramref name="from"/>), only what lies after it is read: the check the chain's
    /// writer runs on every new link.
    /// </summary>
    public async Task<ChainVerification> Verify(CancellationToken ct, long? checkpointSequence = null, ChainHead? from = null)
    {
        string? hashAtCheckpoint = checkpointSequence is 0 ? AuditChain.Hex(AuditChain.Genesis) : null;
        var head = await Head(ct);
        var hash = from is null ? AuditChain.Genesis : Convert.FromHexString(from.Hash);
        var after = from?.Sequence ?? 0;
        long count = 0;
        ChainVerification Broken(long sequence, string problem, IReadOnlyList<string>? differs = null) =>
            new(false, head.Sequence, count, sequence, problem, differs);

        long? sealedAfter = null;
        await using (var genesis = dataSource.CreateCommand($"select key_id, mac, began_after from {Seals} where seq = 0"))
        await using (var reader = await genesis.ExecuteReaderAsync(ct))
            if (await reader.ReadAsync(ct))
            {
                var key = keys.Find(reader.GetString(0));
                var began = reader.GetInt64(2);
                if (key is null || !CryptographicOperations.FixedTimeEquals(EventSeals.GenesisMac(key, began), reader.GetFieldValue<byte[]>(1)))
                    return Broken(0, "the record of when sealing began is not sealed by a known key");
                sealedAfter = began;
            }

        const int at = 1 + AuditChain.EventColumnCount;
        await using var command = dataSource.CreateCommand(
            $"select coalesce(e.seq_id, a.seq, s.seq), {AuditChain.EventColumns}, a.hash, e.seq_id is null, a.seq is null, a.form, a.fields, " +
            "s.seq is null, s.key_id, s.mac " +
            $"from (select * from {Events} e where {AuditChain.BusinessEventFilter} and e.seq_id > $1) e " +
            $"full outer join (select * from {Links} where seq > $1) a on a.seq = e.seq_id " +
            $"full outer join (select * from {Seals} where seq > greatest($1, 0)) s on s.seq = coalesce(e.seq_id, a.seq) " +
            "order by 1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.CommandTimeout = 0; // one pass over every event: at 10,000,000 the join needs more than the default 30 s before its first row
        await using var reader2 = await command.ExecuteReaderAsync(ct);
        while (await reader2.ReadAsync(ct))
        {
            var sequence = reader2.GetInt64(0);
            var eventMissing = reader2.GetBoolean(at + 1);
            var linkMissing = reader2.GetBoolean(at + 2);
            var sealMissing = reader2.GetBoolean(at + 5);
            var chained = sequence <= head.Sequence;
            if (eventMissing)
                return Broken(sequence, linkMissing ? "a sealed event is missing from the store" : "the chained event is missing from the store");
            if (chained && linkMissing) return Broken(sequence, "an event the chain never saw is in the store");

            var e = AuditChain.Read(reader2, 1);
            IReadOnlyList<string>? differs = null;
            if (chained)
            {
                hash = AuditChain.Next(hash, e, reader2.GetInt16(at + 3));
                count++;
                if (sequence <= checkpointSequence) hashAtCheckpoint = AuditChain.Hex(hash);
                if (AuditChain.Hex(hash) != reader2.GetString(at))
                {
                    if (reader2.IsDBNull(at + 4)) return Broken(sequence, "the stored event differs from the one chained");
                    differs = AuditChain.Differing(reader2.GetFieldValue<byte[]>(at + 4), e);
                    return differs.Count > 0
                        ? Broken(sequence, $"the stored event differs from the one chained in: {string.Join(", ", differs)}", differs)
                        : Broken(sequence, "the chain's link was altered (the event's fields are as chained)");
                }
            }

            if (sealedAfter is null) return Broken(sequence, "sealing has not begun on this ledger: the operator runs the seal verb once, with the key");
            if (sequence <= sealedAfter && sealMissing) continue; // recorded before sealing began: the chain covers it
            if (sealMissing) return Broken(sequence, "the event carries no seal: it was written to the database without the application");
            var sealKey = keys.Find(reader2.GetString(at + 6));
            if (sealKey is null) return Broken(sequence, $"the event is sealed by a key this node does not know ({reader2.GetString(at + 6)})");
            if (!CryptographicOperations.FixedTimeEquals(EventSeals.Mac(sealKey, e), reader2.GetFieldValue<byte[]>(at + 7)))
                return Broken(sequence, "the stored event differs from the one the application sealed");
        }
        if (checkpointSequence > head.Sequence) return Broken(head.Sequence, "the chain ends before the checkpoint: events up to it were deleted");
        return new ChainVerification(true, head.Sequence, count, null, null) { HashAtCheckpoint = hashAtCheckpoint };
    }
}
