using System.Diagnostics;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// A new field in a read model, deployed blue/green: the usage projection's version 2 (LoansLost) is built beside the
/// version 1 documents of the previous release, which stay as they were; the new node is not ready until its version
/// has caught up, and then holds every old figure plus the new one.
/// </summary>
public class BlueGreenTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Schema = "t_bluegreentests";
    private const string A = TestAlliance.A;

    [Fact]
    public async Task a_new_projection_version_is_built_beside_the_old_one_and_the_node_is_ready_only_once_it_caught_up()
    {
        await ApiProcess.DropSchema(LedgerApp<BlueGreenTests>.ConnectionString, Schema);
        var settings = new Dictionary<string, string> { ["Ledger__Health__ProjectionLagCritical"] = "1" };
        await using (var first = new ApiProcess(LedgerApp<BlueGreenTests>.ConnectionString, Schema, LedgerApp<BlueGreenTests>.SigningKey, settings))
        {
            await first.Start();
            await TestAlliance.Alliance(first.As(Roles.Operator, TestAlliance.Code), first.As(Roles.FinanceOfficer, TestAlliance.Code));
            var finance = first.As(Roles.FinanceOfficer, TestAlliance.Code);
            for (var i = 1; i <= 3; i++)
            {
                (await finance.Post($"{A}/loans", new { loanId = $"BG-{i}", borrower = "XZMU", lender = "NJU", title = "t", at = "2026-10-12T08:30:00+08:00" })).EnsureSuccessStatusCode();
                (await finance.Post($"{A}/loans/BG-{i}/shipped", new { at = "2026-10-13T08:30:00+08:00" })).EnsureSuccessStatusCode();
            }
            (await finance.Post($"{A}/loans/BG-2/lost", new { replacementCost = 300m, at = "2026-10-20T08:30:00+08:00" })).EnsureSuccessStatusCode();
            await Ready(first, TimeSpan.FromSeconds(30));
        }

        // The database as the previous release left it: usage documents of version 1 (no LoansLost) in mt_doc_usagemonth,
        // the daemon's progress under the version 1 name. (Made here from this release's documents, renamed.)
        await Db.Execute(LedgerApp<BlueGreenTests>.ConnectionString, $"""
            alter table {Schema}.mt_doc_usagemonth_2 rename to mt_doc_usagemonth;
            update {Schema}.mt_doc_usagemonth set data = data - 'LoansLost';
            update {Schema}.mt_event_progression set name = 'UsageMonth:All' where name = 'UsageMonth:V2:All';
            do $$ declare i record; begin
              for i in select indexname from pg_indexes where schemaname = '{Schema}' and tablename = 'mt_doc_usagemonth' loop
                execute format('alter index {Schema}.%I rename to %I', i.indexname, replace(i.indexname, 'usagemonth_2', 'usagemonth'));
              end loop;
            end $$;
            """);
        var blue = await Db.Rows(LedgerApp<BlueGreenTests>.ConnectionString, $"select id, data::text from {Schema}.mt_doc_usagemonth order by id");
        blue.Count.ShouldBeGreaterThan(0);

        // The new release starts on it: version 2 is built from the first event into its own table, while version 1 stays.
        await using var green = new ApiProcess(LedgerApp<BlueGreenTests>.ConnectionString, Schema, LedgerApp<BlueGreenTests>.SigningKey, settings);
        await green.Start();
        var (unready, waited) = await Ready(green, TimeSpan.FromSeconds(60));
        output.WriteLine($"green ready after {waited.TotalMilliseconds:N0} ms; {unready} readiness probes answered 503 before");

        (await Db.Rows(LedgerApp<BlueGreenTests>.ConnectionString, $"select id, data::text from {Schema}.mt_doc_usagemonth order by id")).ShouldBe(blue); // blue's documents untouched
        var v2 = (await Db.Rows(LedgerApp<BlueGreenTests>.ConnectionString, $"select id, data::text from {Schema}.mt_doc_usagemonth_2 order by id"));
        v2.Count.ShouldBe(blue.Count);
        for (var i = 0; i < v2.Count; i++)
        {
            // Every old figure the same; the new field added.
            var (id, json) = Split(v2[i]);
            var old = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Split(blue[i]).Json)!;
            var now = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
            now.Remove("LoansLost", out var lost).ShouldBeTrue(id);
            now.Keys.Order().ShouldBe(old.Keys.Order(), id);
            foreach (var (key, value) in old) now[key].GetRawText().ShouldBe(value.GetRawText(), $"{id} {key}");
            lost.GetInt32().ShouldBe(id.StartsWith("XZMU|2026-10|loan", StringComparison.Ordinal) ? 1 : 0, id);
        }
        var usage = await (await green.As(Roles.FinanceOfficer, TestAlliance.Code).GetAsync($"{A}/usage?from=2026-10&to=2026-10")).Json();
        usage.GetProperty("totals").GetProperty("loansLost").GetInt32().ShouldBe(1);
    }

    /// <summary>Polls the node's readiness until it answers 200; every 503 before must be the projections still building.</summary>
    private static async Task<(int Unready, TimeSpan Waited)> Ready(ApiProcess node, TimeSpan patience)
    {
        using var probe = new HttpClient { BaseAddress = node.Address };
        var clock = Stopwatch.StartNew();
        var unready = 0;
        while (true)
        {
            var response = await probe.GetAsync("/health/ready");
            var body = await response.Json();
            var projections = body.GetProperty("checks").GetProperty("projections");
            if (response.IsSuccessStatusCode)
            {
                // Ready means this release's read model has every event (the integration events may trail: they answer nothing).
                var main = projections.GetProperty("data").GetProperty("main");
                main.GetProperty("projections").GetProperty(Projections.Usage.UsageQueries.Shard).GetInt64().ShouldBe(main.GetProperty("lastEvent").GetInt64());
                return (unready, clock.Elapsed);
            }
            projections.GetProperty("status").GetString().ShouldBe("unavailable", body.ToString());
            unready++;
            clock.Elapsed.ShouldBeLessThan(patience, body.ToString());
            await Task.Delay(20);
        }
    }

    private static (string Id, string Json) Split(string row)
    {
        var space = row.IndexOf(' ', StringComparison.Ordinal);
        return (row[..space], row[(space + 1)..]);
    }
}
