using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;
using Npgsql;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// One API over two PostgreSQL databases: the test alliance in the main one, a second alliance of the same department
/// placed by configuration (Ledger:Databases) in a database of its own.
/// </summary>
public class TenantDatabaseTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schema = "t_tenantdatabasetests";
    private const string NorthDb = "t_tenantdb_north";
    private const string North = "/api/alliances/NORTH";
    private static readonly string NorthConnection =
        new NpgsqlConnectionStringBuilder(LedgerApp<TenantDatabaseTests>.ConnectionString) { Database = NorthDb }.ConnectionString;
    private ApiProcess api = null!;

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(LedgerApp<TenantDatabaseTests>.ConnectionString, Schema);
        await Db.Execute(LedgerApp<TenantDatabaseTests>.ConnectionString, $"drop database if exists {NorthDb} with (force)");
        await Db.Execute(LedgerApp<TenantDatabaseTests>.ConnectionString, $"create database {NorthDb}");
        api = new ApiProcess(LedgerApp<TenantDatabaseTests>.ConnectionString, Schema, LedgerApp<TenantDatabaseTests>.SigningKey,
            new Dictionary<string, string>
            {
                ["Ledger__Databases__0__Name"] = "north",
                ["Ledger__Databases__0__ConnectionString"] = NorthConnection,
                ["Ledger__Databases__0__Alliances__0"] = "NORTH",
                ["Ledger__Audit__IntervalMilliseconds"] = "100",
            });
        await api.Start();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await Db.Execute(LedgerApp<TenantDatabaseTests>.ConnectionString, $"drop database if exists {NorthDb} with (force)");
    }

    [Fact]
    public async Task two_alliances_in_two_databases_run_through_one_api_and_the_department_report_spans_both()
    {
        // TST in the main database, NORTH (same department) in its own.
        await TestAlliance.Alliance(api.As(Roles.Operator, TestAlliance.Code), api.As(Roles.FinanceOfficer, TestAlliance.Code));
        (await api.As(Roles.FinanceOfficer, TestAlliance.Code).Post($"{TestAlliance.A}/subprojects/JALIS-IV-SUB/expenditures",
            new { expenditureId = "OP-1", line = "operations", amount = 1_000m, spentOn = "2026-10-10", voucher = "JX-1", description = "courier bags" })).EnsureSuccessStatusCode();
        var op = api.As(Roles.Operator, "NORTH");
        var finance = api.As(Roles.FinanceOfficer, "NORTH");
        (await op.Post("/api/alliances", new
        {
            code = "NORTH",
            name = "North Jiangsu Alliance",
            kind = "provincial",
            region = "Jiangsu",
            departmentCode = TestAlliance.Department,
            currency = "CNY",
            timeZone = "Asia/Shanghai",
            foundedAt = "2026-01-01T09:00:00+08:00",
        })).EnsureSuccessStatusCode();
        foreach (var code in new[] { "XZNU", "YZU" })
            (await op.Post($"{North}/members", new { code, name = $"{code} Library", fte = 15000, regionGroup = "north", role = "member", joinedOn = "2026-01-01" }))
                .EnsureSuccessStatusCode();
        (await finance.Post($"{North}/projects", new { code = "NJ-DIG", name = "North digitisation", departmentCode = TestAlliance.Department, phase = "2026", startsOn = "2026-01-01", endsOn = "2026-12-31" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{North}/subprojects", new
        {
            code = "NJ-DIG-1",
            projectCode = "NJ-DIG",
            title = "Scanning",
            undertakingMember = "XZNU",
            budget = new[] { new { line = "equipment", amount = 50_000m } },
        })).EnsureSuccessStatusCode();
        (await finance.Post($"{North}/subprojects/NJ-DIG-1/allocations", new { allocationId = "N-ALLOC", fiscalYear = 2026, amount = 40_000m, allocatedOn = "2026-02-01" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{North}/subprojects/NJ-DIG-1/expenditures",
            new { expenditureId = "EQ-1", line = "equipment", amount = 12_345.67m, spentOn = "2026-03-01", voucher = "NJ-1", description = "scanner" })).EnsureSuccessStatusCode();
        (await finance.Post($"{North}/payments", new { paymentId = "P-1", member = "XZNU", direction = "member-to-centre", amount = 88.50m, paidOn = "2026-03-02", bankReference = "B-1" }))
            .EnsureSuccessStatusCode();

        // Each alliance's events are in its own database only, each database with its own sequence.
        (await Count(LedgerApp<TenantDatabaseTests>.ConnectionString, "NORTH")).ShouldBe(0);
        var northEvents = await Count(NorthConnection, "NORTH");
        northEvents.ShouldBeGreaterThan(5);
        (await Count(NorthConnection, "TST")).ShouldBe(0);
        (await Count(LedgerApp<TenantDatabaseTests>.ConnectionString, "TST")).ShouldBeGreaterThan(5);
        (await Db.Scalar(NorthConnection, $"select min(seq_id) from {Schema}.mt_events")).ShouldBe(1);

        // Reads go to the right database.
        var balances = await (await finance.GetAsync($"{North}/balances")).Json();
        output.WriteLine(balances.ToString());
        Balance(balances, "member:XZNU").ShouldBe(88.50m);
        balances.GetProperty("total").GetDecimal().ShouldBe(0m);
        var me = await (await api.As(Roles.Operator, "NORTH").GetAsync("/api/me")).Json();
        me.GetProperty("alliances").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ShouldBe(["NORTH", "TST"]);

        // The department's report spans both databases, with both chains' heads.
        var auditor = api.As(Roles.Auditor, TestAlliance.Code, department: TestAlliance.Department);
        await WaitForChains(auditor, ("main", await Db.Scalar(LedgerApp<TenantDatabaseTests>.ConnectionString, $"select max(seq_id) from {Schema}.mt_events")),
            ("north", await Db.Scalar(NorthConnection, $"select max(seq_id) from {Schema}.mt_events")));
        var report = await (await auditor.GetAsync($"/api/departments/{TestAlliance.Department}/funding-report")).Json();
        report.GetProperty("projects").EnumerateArray().Select(p => (p.GetProperty("alliance").GetString(), p.GetProperty("project").GetString()))
            .ShouldBe([("NORTH", "NJ-DIG"), ("TST", "JALIS-IV")], ignoreOrder: true);
        var totals = report.GetProperty("totals");
        totals.GetProperty("allocated").GetDecimal().ShouldBe(140_000m);
        totals.GetProperty("spent").GetDecimal().ShouldBe(13_345.67m);
        var heads = report.GetProperty("auditHeads").EnumerateArray().ToList();
        heads.Select(h => h.GetProperty("database").GetString()).ShouldBe(["main", "north"]);
        heads.ShouldAllBe(h => h.GetProperty("sequence").GetInt64() > 0);
        var digests = await (await auditor.GetAsync("/api/audit/digests")).Json();
        digests.EnumerateArray().Select(d => d.GetProperty("hash").GetString()).ShouldBe(heads.Select(h => h.GetProperty("hash").GetString()));
        (await (await auditor.GetAsync("/api/audit/verification?database=north")).Json()).GetProperty("intact").GetBoolean().ShouldBeTrue();
        (await auditor.GetAsync("/api/audit/digest?database=nowhere")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);

        // Readiness checks both databases, and the async daemon runs the usage projection in each of them.
        using var probe = new HttpClient { BaseAddress = api.Address };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var ready = await (await probe.GetAsync("/health/ready")).Json();
            ready.GetProperty("checks").GetProperty("postgresql").GetProperty("data").EnumerateObject().Count().ShouldBe(2);
            var lag = ready.GetProperty("checks").GetProperty("projections").GetProperty("data");
            var databases = lag.EnumerateObject().Where(p => p.Name != "runningHere").Select(p => p.Value).ToList();
            databases.Count.ShouldBe(2);
            if (databases.All(d => d.GetProperty("behind").GetInt64() == 0 && d.GetProperty("projections").TryGetProperty(Projections.Usage.UsageQueries.Shard, out _)))
            {
                output.WriteLine(lag.ToString());
                break;
            }
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), $"the daemon did not catch up in both databases: {lag}");
            await Task.Delay(200);
        }
        // The history import writes into the alliance's own database.
        var history = Path.Combine(Path.GetTempPath(), $"north-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(history, """
            kind,id,borrower,lender,title,requested_at,filled_at,pages,charge,received_at,returned_at,unfilled_at,unfilled_reason
            loan,N-H1,XZNU,YZU,Old atlas,2026-03-04T09:00:00+08:00,,,,,,2026-03-05T09:00:00+08:00,not held
            loan,N-H2,YZU,XZNU,Gazetteer,2026-03-06T09:00:00+08:00,,,,,,,
            """);
        try
        {
            var imported = await api.RunVerb("import", "--alliance", "NORTH", "--file", history);
            imported.ExitCode.ShouldBe(0, imported.Output);
        }
        finally
        {
            File.Delete(history);
        }
        (await Db.Scalar(NorthConnection, $"select count(*) from {Schema}.mt_streams where tenant_id = 'NORTH' and id in ('loan:N-H1', 'loan:N-H2')")).ShouldBe(2);
        (await Db.Scalar(LedgerApp<TenantDatabaseTests>.ConnectionString, $"select count(*) from {Schema}.mt_streams where tenant_id = 'NORTH'")).ShouldBe(0);
        (await (await finance.GetAsync($"{North}/loans/N-H1")).Json()).GetProperty("status").GetString().ShouldBe("unfilled");

        // What each alliance reads now, to compare after a rebuild of every projection in both databases.
        async Task<string[]> Figures() =>
        [
            await finance.GetStringAsync($"{North}/balances"),
            await api.As(Roles.FinanceOfficer, TestAlliance.Code).GetStringAsync($"{TestAlliance.A}/balances"),
            await finance.GetStringAsync($"{North}/funding-report"),
            await auditor.GetStringAsync($"/api/departments/{TestAlliance.Department}/funding-report?asOf=2026-11-01"),
        ];
        var before = await Figures();
        var documents = await Documents();

        await api.Kill();
        var verify = await api.RunVerb("verify");
        verify.ExitCode.ShouldBe(0, verify.Output);
        verify.Output.ShouldContain("audit chain intact (database main)");
        verify.Output.ShouldContain($"audit chain intact (database north): {northEvents + 3} events"); // and the imported loans' 3
        var rebuild = await api.RunVerb("rebuild");
        rebuild.ExitCode.ShouldBe(0, rebuild.Output);
        (await Documents()).ShouldBe(documents);
        await api.Start();
        (await Figures()).ShouldBe(before);
    }

    /// <summary>Every posting and funding entry of both databases (id and document), to compare with a rebuild.</summary>
    private static async Task<List<string>> Documents()
    {
        var rows = new List<string>();
        foreach (var connection in new[] { LedgerApp<TenantDatabaseTests>.ConnectionString, NorthConnection })
            foreach (var table in new[] { "mt_doc_posting", "mt_doc_fundingentry", "grant_funds" })
                rows.AddRange(await Db.Rows(connection, table == "grant_funds"
                    ? $"select tenant_id || '/' || sub_project, available_fen from {Schema}.{table} order by 1"
                    : $"select tenant_id || '/' || id, data::text from {Schema}.{table} order by 1"));
        return rows;
    }

    private static decimal Balance(JsonElement balances, string member) =>
        balances.GetProperty("accounts").EnumerateArray().Single(m => m.GetProperty("account").GetString() == member).GetProperty("balance").GetDecimal();

    private static async Task WaitForChains(HttpClient auditor, params (string Database, long Sequence)[] expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var digests = await (await auditor.GetAsync("/api/audit/digests")).Json();
            if (expected.All(e => digests.EnumerateArray().Any(d => d.GetProperty("database").GetString() == e.Database && d.GetProperty("sequence").GetInt64() >= e.Sequence)))
                return;
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the chains did not catch up");
            await Task.Delay(100);
        }
    }

    private static Task<long> Count(string connectionString, string alliance) =>
        Db.Scalar(connectionString, $"select count(*) from {Schema}.mt_events where tenant_id = '{alliance}'");
}
