using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Ledger;

/// <summary>
/// Each account's postings summed per business date (amount and count), kept by the inline posting projection in the
/// same transaction as the events. A balance "as known now" reads at most one row per business day of the account
/// instead of every posting; questions about what was known at an earlier time still sum the postings (they need
/// each posting's recording time).
/// </summary>
public static class AccountDays
{
    public const string TableName = "account_days";

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // see AuditChain.Schema
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn("tenant_id", "varchar").AsPrimaryKey();
        table.AddColumn("account", "varchar").AsPrimaryKey();
        table.AddColumn<DateOnly>("business_date").AsPrimaryKey();
        table.AddColumn<long>("amount_fen").NotNull();
        table.AddColumn<long>("postings").NotNull();
        return table;
    }

    /// <summary>The upsert, with its five parameters written by <paramref name="p"/> (Marten's "?" or Npgsql's "$n").</summary>
    private static string Upsert(string schema, Func<int, string> p) =>
        $"insert into {schema}.{TableName} as d (tenant_id, account, business_date, amount_fen, postings) " +
        $"select {p(1)}, a, b, f, n from unnest({p(2)}::varchar[], {p(3)}::date[], {p(4)}::bigint[], {p(5)}::bigint[]) as u(a, b, f, n) order by a, b " +
        "on conflict (tenant_id, account, business_date) do update set amount_fen = d.amount_fen + excluded.amount_fen, postings = d.postings + excluded.postings";

    /// <summary>
    /// Adds postings to their days, in the batch that stores them. One statement with the rows in key order: two
    /// commands touching the same accounts lock their days in the same order, so they wait for each other, never
    /// deadlock.
    /// </summary>
    public static void Change(IDocumentOperations operations, string tenant, IEnumerable<Posting> postings)
    {
        var (accounts, dates, amounts, counts) = Sums(postings);
        if (accounts.Length == 0) return;
        operations.QueueSqlCommand(Upsert(operations.DocumentStore.Options.DatabaseSchemaName, _ => "?"), tenant, accounts, dates, amounts, counts);
    }

    /// <summary>The same on a connection in the caller's transaction (the bulk writer).</summary>
    public static async Task Change(NpgsqlConnection connection, string schema, string tenant, IEnumerable<Posting> postings, CancellationToken ct)
    {
        var (accounts, dates, amounts, counts) = Sums(postings);
        if (accounts.Length == 0) return;
        await using var command = new NpgsqlCommand(Upsert(schema, n => $"${n}"), connection);
        foreach (var value in new object[] { tenant, accounts, dates, amounts, counts }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static (string[] Accounts, DateOnly[] Dates, long[] Amounts, long[] Counts) Sums(IEnumerable<Posting> postings)
    {
        var sums = postings.GroupBy(p => (p.Account, p.BusinessDate))
            .Select(g => (g.Key.Account, g.Key.BusinessDate, Amount: g.Sum(p => p.AmountFen), Count: (long)g.Count())).ToList();
        return (sums.Select(s => s.Account).ToArray(), sums.Select(s => s.BusinessDate).ToArray(), sums.Select(s => s.Amount).ToArray(),
            sums.Select(s => s.Count).ToArray());
    }

    private static string FromPostings(string schema) =>
        $"insert into {schema}.{TableName} (tenant_id, account, business_date, amount_fen, postings) " +
        $"select tenant_id, account, business_date, sum(amount_fen), count(*) from {schema}.mt_doc_posting group by tenant_id, account, business_date";

    /// <summary>Sets every day's sums of the store from the postings (after the postings were rebuilt).</summary>
    public static async Task Recompute(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var session = store.LightweightSession();
        session.QueueSqlCommand($"delete from {schema}.{TableName}");
        session.QueueSqlCommand(FromPostings(schema));
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Fills the sums from the postings when the table is empty but postings exist (a ledger older than the table). Run before serving.</summary>
    public static async Task InitialiseIfEmpty(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var session = store.LightweightSession();
        session.QueueSqlCommand(FromPostings(schema) + $" having not exists (select 1 from {schema}.{TableName})");
        await session.SaveChangesAsync(ct);
    }
}
