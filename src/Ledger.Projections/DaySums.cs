using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections;

/// <summary>When the day sums can answer.</summary>
public static class DaySums
{
    /// <summary>
    /// True when everything recorded so far was known by <paramref name="knownAt"/> (not before the host's clock, which
    /// stamps every event): nothing is late, and the day sums hold the answer.
    /// </summary>
    public static bool Answer(DateTimeOffset knownAt, DateTimeOffset now) => knownAt >= now;
}

/// <summary>A column of a <see cref="DaySums{TRow}"/> table: its name (also the source table's column), type and value in a row.</summary>
public sealed record SumColumn<TRow>(string Name, string PgType, Func<TRow, object?> Value);

/// <summary>
/// A projection's rows summed per key (an account's business day, a sub-project line's business day), kept by the
/// inline projection in the same transaction as the events, so a question about everything known now reads a row per
/// key instead of every row. One ordered upsert per event: two commands touching the same keys lock them in the same
/// order, so they wait for each other and never deadlock. Rebuilt from the source table after a rebuild.
/// </summary>
public sealed class DaySums<TRow>(string table, string sourceTable, IReadOnlyList<SumColumn<TRow>> keys, IReadOnlyList<SumColumn<TRow>> sums)
{
    public string TableName => table;

    private IEnumerable<SumColumn<TRow>> Columns => keys.Concat(sums);

    public Table Schema(string schema)
    {
#pragma warning disable CS0618 // see AuditChain.Schema
        var t = new Table(new PostgresqlObjectName(schema, table));
#pragma warning restore CS0618
        t.AddColumn("tenant_id", "varchar").NotNull();
        foreach (var key in keys) t.AddColumn(key.Name, key.PgType);
        foreach (var sum in sums) t.AddColumn(sum.Name, "bigint").NotNull();
        t.AddColumn("entries", "bigint").NotNull();
        // Keys may be null (a funding entry without a line): equal nulls are one key.
        t.Indexes.Add(new IndexDefinition($"{table}_key") { Columns = ["tenant_id", .. keys.Select(k => k.Name)], IsUnique = true, NullsNotDistinct = true });
        return t;
    }

    /// <summary>The upsert, with its parameters written by <paramref name="p"/> (Marten's "?" or Npgsql's "$n").</summary>
    private string Upsert(string schema, Func<int, string> p)
    {
        var columns = Columns.ToList();
        var names = string.Join(", ", columns.Select(c => c.Name));
        var arrays = string.Join(", ", columns.Select((c, i) => $"{p(i + 2)}::{(sums.Contains(c) ? "bigint" : c.PgType)}[]"));
        var entries = p(columns.Count + 2);
        var keyNames = string.Join(", ", keys.Select(k => k.Name));
        return $"insert into {schema}.{table} as d (tenant_id, {names}, entries) " +
               $"select {p(1)}, {names}, n from unnest({arrays}, {entries}::bigint[]) as u({names}, n) order by {keyNames} " +
               $"on conflict (tenant_id, {keyNames}) do update set " +
               string.Join(", ", sums.Select(s => $"{s.Name} = d.{s.Name} + excluded.{s.Name}").Append("entries = d.entries + excluded.entries"));
    }

    /// <summary>Adds rows to their sums, in the batch that stores them.</summary>
    public void Change(IDocumentOperations operations, string tenant, IEnumerable<TRow> rows)
    {
        var values = Values(tenant, rows);
        if (values is null) return;
        operations.QueueSqlCommand(Upsert(operations.DocumentStore.Options.DatabaseSchemaName, _ => "?"), values);
    }

    /// <summary>The same on a connection in the caller's transaction (the bulk writer).</summary>
    public async Task Change(NpgsqlConnection connection, string schema, string tenant, IEnumerable<TRow> rows, CancellationToken ct)
    {
        var values = Values(tenant, rows);
        if (values is null) return;
        await using var command = new NpgsqlCommand(Upsert(schema, n => $"${n}"), connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The tenant, then one typed array per column (the rows grouped by key and summed), then the counts.</summary>
    private object[]? Values(string tenant, IEnumerable<TRow> rows)
    {
        var groups = rows.GroupBy(r => string.Join("\u001f", keys.Select(k => k.Value(r)?.ToString() ?? "\u0000"))).ToList();
        if (groups.Count == 0) return null;
        var values = new List<object> { tenant };
        foreach (var key in keys) values.Add(Typed(key.PgType, groups.Select(g => key.Value(g.First()))));
        foreach (var sum in sums) values.Add(groups.Select(g => g.Sum(r => Convert.ToInt64(sum.Value(r), System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        values.Add(groups.Select(g => (long)g.Count()).ToArray());
        return values.ToArray();
    }

    private static Array Typed(string pgType, IEnumerable<object?> values) => pgType switch
    {
        "varchar" => values.Select(v => (string?)v).ToArray(),
        "date" => values.Select(v => (DateOnly)v!).ToArray(),
        "integer" => values.Select(v => v is null ? (int?)null : Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        _ => throw new InvalidOperationException($"a day-sums key of type {pgType} is not supported"),
    };

    private string FromSource(string schema)
    {
        var keyNames = string.Join(", ", keys.Select(k => k.Name));
        return $"insert into {schema}.{table} (tenant_id, {keyNames}, {string.Join(", ", sums.Select(s => s.Name))}, entries) " +
               $"select tenant_id, {keyNames}, {string.Join(", ", sums.Select(s => $"sum({s.Name})"))}, count(*) " +
               $"from {schema}.{sourceTable} group by tenant_id, {keyNames}";
    }

    /// <summary>Sets every sum of the store from the source rows (after they were rebuilt).</summary>
    public async Task Recompute(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await LedgerStore.InEachDatabase(store, session =>
        {
            session.QueueSqlCommand($"delete from {schema}.{table}");
            session.QueueSqlCommand(FromSource(schema));
            return Task.CompletedTask;
        }, ct);
    }

    /// <summary>Fills the sums from the source rows when the table is empty but rows exist (a ledger older than the table). Run before serving.</summary>
    public async Task InitialiseIfEmpty(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await LedgerStore.InEachDatabase(store, session =>
        {
            session.QueueSqlCommand(FromSource(schema) + $" having not exists (select 1 from {schema}.{table})");
            return Task.CompletedTask;
        }, ct);
    }
}
