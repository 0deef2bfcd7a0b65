using System.Diagnostics;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;
using Npgsql;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// Reads on a real PostgreSQL streaming replica (infra/replica.sh: a standby of the test cluster on port 5433): with
/// ConnectionStrings:LedgerReadReplica set, balances and reports come from the standby while commands go to the
/// primary. The test pauses the standby's replay to show where each read is answered from.
/// </summary>
public class ReadReplicaTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schema = "t_readreplicatests";
    private static readonly string Replica = new NpgsqlConnectionStringBuilder(LedgerApp<ReadReplicaTests>.ConnectionString) { Port = 5433 }.ConnectionString;
    private ApiProcess api = null!;

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(LedgerApp<ReadReplicaTests>.ConnectionString, Schema);
        api = new ApiProcess(LedgerApp<ReadReplicaTests>.ConnectionString, Schema, LedgerApp<ReadReplicaTests>.SigningKey, new Dictionary<string, string>
        {
            ["ConnectionStrings__LedgerReadReplica"] = Replica,
            ["Ledger__Node"] = "replica-test",
        });
        await api.Start();
    }

    public async Task DisposeAsync()
    {
        await Replay("resume");
        await api.DisposeAsync();
    }

    [Fact]
    public async Task balances_are_read_on_the_replica_and_commands_go_to_the_primary()
    {
        await TestAlliance.Alliance(api.As(Roles.Operator, TestAlliance.Code), api.As(Roles.FinanceOfficer, TestAlliance.Code));
        var finance = api.As(Roles.FinanceOfficer, TestAlliance.Code);
        async Task Pay(string id, decimal amount) =>
            (await finance.Post($"{TestAlliance.A}/payments", new { paymentId = id, member = "SEU", direction = "member-to-centre", amount, paidOn = "2026-10-01", bankReference = id }))
            .EnsureSuccessStatusCode();
        async Task<decimal> Balance() =>
            (await (await finance.GetAsync($"{TestAlliance.A}/members/SEU/balance")).Json()).GetProperty("balance").GetDecimal();

        await Pay("P-1", 100m);
        await CaughtUp();
        (await Balance()).ShouldBe(100m);
        (await Db.Scalar(Replica, "select count(*) from pg_stat_activity where application_name = 'ledger replica-test'")).ShouldBeGreaterThan(0);

        // Replay paused: the command still records (on the primary), the balance read on the replica does not show it yet.
        await Replay("pause");
        await Pay("P-2", 50m);
        (await Balance()).ShouldBe(100m);
        (await Db.Scalar(LedgerApp<ReadReplicaTests>.ConnectionString, $"select count(*) from {Schema}.mt_events where stream_id like 'payment:%'")).ShouldBe(2);
        (await Db.Scalar(Replica, $"select count(*) from {Schema}.mt_events where stream_id like 'payment:%'")).ShouldBe(1);
        // A read of one stream (whose ETag a client sends back with its next command) answers from the primary.
        (await finance.GetAsync($"{TestAlliance.A}/payments/P-2")).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        await Replay("resume");
        await CaughtUp();
        (await Balance()).ShouldBe(150m);
        (await Db.Scalar(Replica, "select count(*) from pg_stat_activity where application_name = 'ledger replica-test'")).ShouldBeGreaterThan(0);
    }

    /// <summary>Waits until the standby has replayed everything the primary has written.</summary>
    private async Task CaughtUp()
    {
        var target = await Db.Text(LedgerApp<ReadReplicaTests>.ConnectionString, "select pg_current_wal_lsn()::text");
        var clock = Stopwatch.StartNew();
        while (await Db.Scalar(Replica, $"select (pg_last_wal_replay_lsn() >= '{target}'::pg_lsn)::int") != 1)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the replica did not catch up");
            await Task.Delay(50);
        }
        output.WriteLine($"replica caught up with {target} in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Pauses or resumes the standby's WAL replay (superuser only: run as postgres over the local socket, as the scripts do).</summary>
    private static async Task Replay(string what)
    {
        var start = new ProcessStartInfo("su", ["postgres", "-c", $"psql -p 5433 -qAtc 'select pg_wal_replay_{what}()'"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync());
    }
}
