using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Benchmarks;

/// <summary>What PostgreSQL itself does on this machine with a table shaped like Marten's event table.</summary>
public sealed class RawPostgres(string connectionString)
{
    private const string Table = "bench_raw.events";

    /// <summary>A realistic event body (a shipped loan with its charge), about 400 bytes of JSON.</summary>
    private static readonly string Data = JsonSerializer.Serialize(new
    {
        LoanId = "B12-3456",
        Borrower = "XZMU",
        Lender = "NJU",
        ShippedAt = DateTimeOffset.UtcNow,
        RequestedAt = DateTimeOffset.UtcNow,
        BusinessDate = "2026-10-13",
        MaximumCostFen = (long?)null,
        Charge = new { FeeFen = 4000, SubsidyFen = 2000, RewardFen = 500, BorrowerPaysFen = 2000, GrantAccount = "grant:JALIS-IV-SUB", BudgetLine = "subsidy", Policy = "2026-01-01" },
    });

    public async Task Prepare()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "drop schema if exists bench_raw cascade; create schema bench_raw; " +
            $"create table {Table} (seq_id bigserial primary key, id uuid not null, stream_id varchar not null, version bigint not null, " +
            "data jsonb not null, type varchar(500) not null, timestamp timestamptz not null default now(), tenant_id varchar not null, " +
            "mt_dotnet_type varchar, headers jsonb, user_name varchar, is_archived bool default false, " +
            "unique (tenant_id, stream_id, version))", connection);
        await command.ExecuteNonQueryAsync();
    }

    public sealed record Rate(long Count, double PerSecond, Latencies Latency);

    /// <summary>Each connection inserts one row per transaction (autocommit), as fast as it can, for the duration.</summary>
    public async Task<Rate> SingleRowInserts(int connections, TimeSpan duration)
    {
        var latency = new Latencies();
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                $"insert into {Table} (id, stream_id, version, data, type, tenant_id, user_name) values ($1, $2, $3, $4::jsonb, $5, $6, $7)", connection);
            var id = new NpgsqlParameter<Guid>();
            var stream = new NpgsqlParameter<string>();
            var version = new NpgsqlParameter<long>();
            insert.Parameters.Add(id);
            insert.Parameters.Add(stream);
            insert.Parameters.Add(version);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Data });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "v1.loan_shipped" });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "BENCH" });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "bench" });
            await insert.PrepareAsync();
            var i = 0L;
            while (clock.Elapsed < duration)
            {
                id.TypedValue = Guid.NewGuid();
                stream.TypedValue = $"loan:{connections}-{c}-{i}";
                version.TypedValue = 1;
                var t = Stopwatch.StartNew();
                await insert.ExecuteNonQueryAsync();
                latency.Add(t.Elapsed);
                i++;
            }
            Interlocked.Add(ref count, i);
        }));
        return new Rate(count, count / clock.Elapsed.TotalSeconds, latency);
    }

    /// <summary>Rows per second through binary COPY on one connection.</summary>
    public async Task<double> Copy(int rows)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync(
                         $"copy {Table} (id, stream_id, version, data, type, tenant_id, user_name) from stdin (format binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await writer.WriteAsync($"copy:{i}", NpgsqlDbType.Varchar);
                await writer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await writer.WriteAsync(Data, NpgsqlDbType.Jsonb);
                await writer.WriteAsync("v1.loan_shipped", NpgsqlDbType.Varchar);
                await writer.WriteAsync("BENCH", NpgsqlDbType.Varchar);
                await writer.WriteAsync("bench", NpgsqlDbType.Varchar);
            }
            await writer.CompleteAsync();
        }
        return rows / clock.Elapsed.TotalSeconds;
    }
}
