using System.Globalization;
using Npgsql;

namespace Ledger.Api.Tests.Infrastructure;

/// <summary>Direct SQL for the tests that look under the API (event rows, documents, catalogue, replication).</summary>
public static class Db
{
    public static async Task Execute(string connectionString, string sql)
    {
        await using var connection = await Open(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row, as text.</summary>
    public static async Task<string> Text(string connectionString, string sql)
    {
        await using var connection = await Open(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    public static async Task<long> Scalar(string connectionString, string sql) =>
        long.Parse(await Text(connectionString, sql), CultureInfo.InvariantCulture);

    /// <summary>Each row's first two columns as "first second" (an id and a document, say), in the query's order.</summary>
    public static async Task<List<string>> Rows(string connectionString, string sql)
    {
        await using var connection = await Open(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add($"{reader.GetValue(0)} {reader.GetValue(1)}");
        return rows;
    }

    /// <summary>The ids of the stored events of these types in a schema, in sequence order (each integration event's message id is one).</summary>
    public static async Task<List<Guid>> EventIds(string connectionString, string schema, params string[] types)
    {
        await using var connection = await Open(connectionString);
        await using var command = new NpgsqlCommand($"select id from {schema}.mt_events where type = any($1) order by seq_id", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private static async Task<NpgsqlConnection> Open(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}
