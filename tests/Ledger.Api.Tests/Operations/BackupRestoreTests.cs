using System.Diagnostics;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;
using Npgsql;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// The README's backup and restore commands (infra/backup.sh: pg_dump and pg_restore) on a ledger holding the demo
/// alliance, restored into a fresh database: the hash chain verifies there, and every figure reads the same.
/// </summary>
public class BackupRestoreTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Schema = "t_backuprestoretests";
    private const string Demo = "JALIS";

    [Fact]
    public async Task a_dump_restored_into_a_fresh_database_verifies_its_hash_chain_and_reads_the_same_balances_and_report()
    {
        var restoredDb = $"t_restore_{Guid.NewGuid():N}"[..24];
        var dump = Path.Combine(Path.GetTempPath(), $"{restoredDb}.dump");
        await ApiProcess.DropSchema(LedgerApp<BackupRestoreTests>.ConnectionString, Schema);
        await using var source = new ApiProcess(LedgerApp<BackupRestoreTests>.ConnectionString, Schema, LedgerApp<BackupRestoreTests>.SigningKey);
        var restoredConnection = new NpgsqlConnectionStringBuilder(LedgerApp<BackupRestoreTests>.ConnectionString) { Database = restoredDb }.ConnectionString;
        await using var restored = new ApiProcess(restoredConnection, Schema, LedgerApp<BackupRestoreTests>.SigningKey);
        try
        {
            (await source.RunVerb("load-demo")).ExitCode.ShouldBe(0);
            var verified = await source.RunVerb("verify"); // chains every event, so the dump holds the whole chain
            verified.ExitCode.ShouldBe(0, verified.Output);
            await source.Start();
            var before = await Figures(source);

            // Taken while the API runs (pg_dump reads one snapshot).
            var (code, text) = await Script("dump", dump);
            code.ShouldBe(0, text);
            await source.Kill();
            (code, text) = await Script("restore", dump, restoredDb);
            code.ShouldBe(0, text);
            output.WriteLine($"dump {new FileInfo(dump).Length:N0} bytes; {text.Trim()}");

            var check = await restored.RunVerb("verify");
            check.ExitCode.ShouldBe(0, check.Output);
            Verdict(check.Output).ShouldStartWith("audit chain intact");
            Verdict(check.Output).ShouldBe(Verdict(verified.Output)); // same events, same sequence, same head hash
            await restored.Start();
            (await Figures(restored)).ShouldBe(before);

            // A copy of the chain that was altered is found out: the restore test would fail on a changed figure.
            await using (var connection = new NpgsqlConnection(restoredConnection))
            {
                await connection.OpenAsync();
                await using var tamper = new NpgsqlCommand(
                    $"update {Schema}.mt_events set data = jsonb_set(data, '{{Pages}}', '99') where seq_id = (select min(seq_id) from {Schema}.mt_events where type = 'v1.delivery_fulfilled')", connection);
                (await tamper.ExecuteNonQueryAsync()).ShouldBe(1);
            }
            await restored.Kill();
            var broken = await restored.RunVerb("verify");
            broken.ExitCode.ShouldBe(1);
            Verdict(broken.Output).ShouldStartWith("audit chain broken at sequence");
        }
        finally
        {
            await restored.Kill();
            File.Delete(dump);
            await using var connection = new NpgsqlConnection(LedgerApp<BackupRestoreTests>.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {restoredDb} with (force)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The verify verb's verdict line (the host's log lines come before it).</summary>
    private static string Verdict(string output) => output.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("audit chain", StringComparison.Ordinal));

    /// <summary>What the finance officer and the auditor read: every balance, the alliance's funding report, the chain digest.</summary>
    private static async Task<string[]> Figures(ApiProcess api)
    {
        var finance = api.As(Roles.FinanceOfficer, Demo);
        var auditor = api.As(Roles.Auditor, Demo, department: "JSEDU");
        return
        [
            await finance.GetStringAsync($"/api/alliances/{Demo}/balances"),
            await finance.GetStringAsync($"/api/alliances/{Demo}/balances?asOf=2026-06-30"),
            await finance.GetStringAsync($"/api/alliances/{Demo}/funding-report"),
            await auditor.GetStringAsync("/api/departments/JSEDU/funding-report"),
            await auditor.GetStringAsync("/api/audit/digest"),
        ];
    }

    /// <summary>Runs infra/backup.sh as the README shows it, against the test database.</summary>
    private static async Task<(int, string)> Script(params string[] arguments)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
        var start = new ProcessStartInfo("bash", [Path.Combine(dir!.FullName, "infra", "backup.sh"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LEDGER_SCHEMA"] = Schema;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
