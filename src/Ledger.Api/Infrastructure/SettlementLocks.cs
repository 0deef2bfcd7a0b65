using Marten;
using Npgsql;

namespace Ledger.Api.Infrastructure;

public enum SettlementLock { Shared, Exclusive }

/// <summary>
/// A PostgreSQL advisory lock per alliance, held for the command's transaction. Every command holds it shared (they
/// never wait for each other); closing a period holds it exclusively, so while a close reads the highest event
/// sequence no command of the alliance is between taking its sequence numbers and committing. That makes the
/// close's high-water mark exact: every posting at or below it is committed, every later one lands above it.
/// The same statement takes the transaction's id at once (pg_current_xact_id), before Marten hands out sequence
/// numbers; the audit chain relies on that to know when every sequence below a mark is settled.
/// </summary>
public static class SettlementLocks
{
    public static Task Take(IDocumentSession session, string alliance, SettlementLock mode, CancellationToken ct) =>
        Take((NpgsqlConnection)session.Connection!, alliance, mode, ct);

    /// <summary>The same on a connection with a transaction of the caller's (the bulk import).</summary>
    public static async Task Take(NpgsqlConnection connection, string alliance, SettlementLock mode, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Statement(mode).Replace("?", "@key", StringComparison.Ordinal), connection);
        command.Parameters.AddWithValue("key", Key(alliance));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The same as the first statement of a batch query in the session's transaction, so the command's reads come back
    /// in the same round trip (the batch's statements run in order: the lock is held before anything is read).
    /// Both calls are in the one expression the statement answers with: an unused column of a subquery is dropped by the
    /// planner, and with it the transaction id (the answer is the id, so a caller can check it was taken).
    /// </summary>
    public static Task<IReadOnlyList<string>> Take(Marten.Services.BatchQuerying.IBatchedQuery batch, string alliance, SettlementLock mode) =>
        batch.Query<string>(Statement(mode), Key(alliance));

    private static string Statement(SettlementLock mode) => $"select {Function(mode)}(hashtextextended(?, 0))::text || pg_current_xact_id()::text";

    private static string Function(SettlementLock mode) => mode == SettlementLock.Exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";

    private static string Key(string alliance) => $"alliance-ledger/settlement/{alliance}";
}
