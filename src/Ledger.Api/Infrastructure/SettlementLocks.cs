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
        var function = mode == SettlementLock.Exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";
        await using var command = new NpgsqlCommand($"select {function}(hashtextextended(@key, 0)), pg_current_xact_id()", connection);
        command.Parameters.AddWithValue("key", $"alliance-ledger/settlement/{alliance}");
        await command.ExecuteNonQueryAsync(ct);
    }
}
