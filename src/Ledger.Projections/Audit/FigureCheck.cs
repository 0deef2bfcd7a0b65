using System.Text.Json;
using Marten;
using Npgsql;

namespace Ledger.Projections.Audit;

/// <summary>What the figure check found: the tables compared, and the first table, key and column that differs.</summary>
public sealed record FigureVerification(bool Intact, IReadOnlyList<string> Compared, string? Table, string? Key, string? Column, string? Problem,
    TimeSpan Took);

/// <summary>
/// "Intact" for the events says nothing of the figures on a screen: those come from read models, which anyone with
/// database access can edit. This recomputes every read model an auditor or member sees — postings, balances' day sums,
/// funding entries and day sums, grant funds, the stream views (loans, deliveries, purchases, cost shares, payments,
/// sub-projects, periods with their issued statements) and the usage months — from the stored events, with the same
/// code a rebuild uses, in a scratch schema beside the ledger's, and compares them row by row. The scratch schema is
/// dropped afterwards. It reads the events as they are; run it after the chain verified them.
/// </summary>
public static class FigureCheck
{
    public static async Task<FigureVerification> Run(IDocumentStore live, string connectionString, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var schema = live.Options.DatabaseSchemaName;
        var scratch = $"{schema}_figures";
        await using var source = NpgsqlDataSource.Create(connectionString);
        await Execute(source, $"drop schema if exists {scratch} cascade", ct);
        try
        {
            await using var store = DocumentStore.For(opts => LedgerStore.Configure(opts, connectionString, scratch));
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var columns = await EventColumns(source, schema, ct);
            await Execute(source, $"insert into {scratch}.mt_streams select * from {schema}.mt_streams; " +
                                  $"insert into {scratch}.mt_events ({columns}) select {columns} from {schema}.mt_events", ct);
            await LedgerStore.RebuildAll(store, null, ct);

            var bulk = new Bulk.BulkLedgerWriter(store);
            var tables = bulk.DocumentTypes.Select(t => (Name: bulk.TableName(t), Key: "tenant_id, id", Value: "data")).ToList();
            // The usage months are the async daemon's: compared only when it has caught up with the events.
            var usage = bulk.TableName(typeof(Usage.UsageMonth));
            if (!await DaemonCaughtUp(source, schema, ct)) tables.RemoveAll(t => t.Name == usage);
            tables.Add((Ledger.AccountDays.TableName, "tenant_id, account, business_date", "*"));
            tables.Add((Funding.GrantFunds.TableName, "tenant_id, sub_project", "*"));
            tables.Add((Funding.FundingDays.TableName, "tenant_id, sub_project, kind, line, purchase_id, fiscal_year, business_date", "*"));

            var compared = new List<string>();
            foreach (var (name, key, value) in tables)
            {
                compared.Add(name);
                var differs = await FirstDifference(source, $"{schema}.{name}", $"{scratch}.{name}", key, value, ct);
                if (differs is { } d)
                    return new FigureVerification(false, compared, name, d.Key, d.Column,
                        $"{name} differs from what the events give at ({key}) = ({d.Key}), column {d.Column}", clock.Elapsed);
            }
            return new FigureVerification(true, compared, null, null, null, null, clock.Elapsed);
        }
        finally
        {
            await Execute(source, $"drop schema if exists {scratch} cascade", CancellationToken.None);
        }
    }

    /// <summary>The first key (in key order) whose row is not the same in both tables, and the column (or JSON property) that differs.</summary>
    private static async Task<(string Key, string Column)?> FirstDifference(NpgsqlDataSource source, string live, string rebuilt, string key, string value,
        CancellationToken ct)
    {
        var row = value == "*" ? "to_jsonb(t)" : "jsonb_build_object(" + string.Join(", ", key.Split(", ").Append(value).Select(c => $"'{c}', t.{c}")) + ")";
        var keyText = string.Join(" || '|' || ", key.Split(", ").Select(k => $"coalesce(t.{k}::text, '')"));
        await using var command = source.CreateCommand(
            "select k, l::text, r::text from (" +
            $"(select {keyText} as k, {row} as l, null::jsonb as r from {live} t except select {keyText}, {row}, null::jsonb from {rebuilt} t) " +
            $"union all (select {keyText}, null::jsonb, {row} from {rebuilt} t except select {keyText}, null::jsonb, {row} from {live} t)) d " +
            "order by k limit 2");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var found = new List<(string Key, string? Live, string? Rebuilt)>();
        while (await reader.ReadAsync(ct))
            found.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        if (found.Count == 0) return null;
        var first = found[0].Key;
        var l = found.FirstOrDefault(f => f.Key == first && f.Live is not null).Live;
        var r = found.FirstOrDefault(f => f.Key == first && f.Rebuilt is not null).Rebuilt;
        if (l is null) return (first, "(the row is missing)");
        if (r is null) return (first, "(a row the events do not give)");
        return (first, Column(l, r));
    }

    /// <summary>The first column (or the document's JSON property) whose values differ.</summary>
    private static string Column(string live, string rebuilt)
    {
        using var a = JsonDocument.Parse(live);
        using var b = JsonDocument.Parse(rebuilt);
        foreach (var p in a.RootElement.EnumerateObject())
        {
            if (!b.RootElement.TryGetProperty(p.Name, out var other)) return p.Name;
            if (p.Value.ValueKind == JsonValueKind.Object && other.ValueKind == JsonValueKind.Object && p.Value.GetRawText() != other.GetRawText())
                return p.Name + "." + Column(p.Value.GetRawText(), other.GetRawText());
            if (p.Value.GetRawText() != other.GetRawText()) return p.Name;
        }
        return "(column order)";
    }

    private static async Task<string> EventColumns(NpgsqlDataSource source, string schema, CancellationToken ct)
    {
        await using var command = source.CreateCommand(
            "select string_agg(column_name, ', ' order by ordinal_position) from information_schema.columns where table_schema = $1 and table_name = 'mt_events'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schema });
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<bool> DaemonCaughtUp(NpgsqlDataSource source, string schema, CancellationToken ct)
    {
        await using var command = source.CreateCommand(
            $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = $1), 0) >= coalesce((select max(seq_id) from {schema}.mt_events), 0)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Usage.UsageQueries.Shard });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task Execute(NpgsqlDataSource source, string sql, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
