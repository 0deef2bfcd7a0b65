using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Ledger;

/// <summary>The host's clock moved forward by a settable amount: "two days later" without waiting two days.</summary>
public sealed class ShiftedClock(TimeProvider inner) : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Shift;
}

public sealed class ClockedApp : LedgerApp<AsOfTests>
{
    public ShiftedClock Clock { get; } = new(HostClock.For(Environment.GetEnvironmentVariable(HostClock.OffsetVariable)));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A client whose token outlives the moved clock.</summary>
    public HttpClient LongLived(string role, string? member = null) =>
        WithToken(Tokens.Issue(new TokenRequest($"asof-{role}", role, role == Roles.Auditor ? [] : [TestAlliance.Code], member,
            role == Roles.Auditor ? TestAlliance.Department : null, TimeSpan.FromDays(30))));
}

/// <summary>
/// "A report fetched today for an earlier date equals the one fetched on that date": every report is fetched for
/// today, the clock moves two days on, entries with earlier business dates are recorded, and the same reports
/// fetched again for that day are equal, with the new entries shown only as late.
/// </summary>
public class AsOfTests(ClockedApp app) : IClassFixture<ClockedApp>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public async Task InitializeAsync() => await TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task reports_fetched_later_for_an_earlier_day_equal_the_ones_fetched_that_day_and_show_later_entries_as_late()
    {
        var finance = app.LongLived(Roles.FinanceOfficer);
        var auditor = app.LongLived(Roles.Auditor);
        var member = app.LongLived(Roles.Member, "XZMU");
        var supplier = app.LongLived(Roles.Member, "SEU"); // made before the clock moves: the token check uses the real clock
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);

        await Loan(finance, "ASOF-1", "2026-10-12");
        await Delivery(finance, "ASOF-D1", "2026-10-14", pages: 10);
        await app.WaitForProjections();

        var reads = new[]
        {
            (member, $"{A}/members/XZMU/statement?from=2026-10-01&asOf={today:yyyy-MM-dd}"),
            (member, $"{A}/members/XZMU/balance?asOf={today:yyyy-MM-dd}"),
            (finance, $"{A}/balances?asOf={today:yyyy-MM-dd}"),
            (auditor, $"{A}/usage?from=2026-10&to=2026-11&asOf={today:yyyy-MM-dd}"),
            (member, $"{A}/usage?from=2026-10&to=2026-11&asOf={today:yyyy-MM-dd}"),
            (auditor, $"/api/departments/{TestAlliance.Department}/funding-report?asOf={today:yyyy-MM-dd}"),
        };
        var then = new List<JsonObject>();
        foreach (var (client, url) in reads) then.Add(await Read(client, url));

        // Two days later: a loan and a delivery from October, and a refund, are recorded only now.
        app.Clock.Shift = TimeSpan.FromDays(2);
        await Loan(finance, "ASOF-2", "2026-10-20");
        await Delivery(finance, "ASOF-D2", "2026-10-21", pages: 30);
        (await finance.Post($"{A}/loans/ASOF-1/refunds", new { refundId = "ASOF-R1", amount = 10m, reason = "late return fee waived", at = "2026-10-25T10:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        // …and structure: a project and a sub-project with its budget are approved only now.
        (await finance.Post($"{A}/projects", new { code = "LATER", name = "Later project", departmentCode = TestAlliance.Department, phase = "later", startsOn = "2026-01-01", endsOn = "2035-12-31" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects", new { code = "LATER-SUB", projectCode = "LATER", title = "Later", undertakingMember = "NJU", budget = new[] { new { line = "equipment", amount = 5_000m } } }))
            .EnsureSuccessStatusCode();
        await app.WaitForProjections();
        (await Read(auditor, $"/api/departments/{TestAlliance.Department}/funding-report"))["projects"]!.AsArray()
            .ShouldContain(p => p!["project"]!.GetValue<string>() == "LATER"); // today's report has them

        for (var i = 0; i < reads.Length; i++)
        {
            var (client, url) = reads[i];
            var now = await Read(client, url);
            Lates(now).ShouldBeGreaterThan(0, url);
            Lates(then[i]).ShouldBe(0, url);
            Comparable(now).ShouldBe(Comparable(then[i]), url);
        }

        // Without asOf, the later entries are in the figures themselves.
        var usageNow = await Read(member, $"{A}/usage?from=2026-10&to=2026-10");
        usageNow["totals"]!["requestsMade"]!.GetValue<int>().ShouldBe(4); // two loans and two deliveries
        var usageThen = then[4];
        usageThen["totals"]!["requestsMade"]!.GetValue<int>().ShouldBe(2);
        usageThen["lateEntryCount"]!.GetValue<int>().ShouldBe(0);
        // A member is told only of late entries that touch its own figures: SEU supplied the one late delivery.
        var seu = await Read(supplier, $"{A}/usage?from=2026-10&to=2026-11&asOf={today:yyyy-MM-dd}");
        seu["lateEntryCount"]!.GetValue<int>().ShouldBe(2);
        var statementNow = await Read(member, $"{A}/members/XZMU/statement?from=2026-10-01");
        statementNow["postings"]!.AsArray().Count.ShouldBeGreaterThan(then[0]["postings"]!.AsArray().Count);
    }

    private static async Task Loan(HttpClient client, string id, string day)
    {
        (await client.Post($"{A}/loans", new { loanId = id, borrower = "XZMU", lender = "NJU", title = "t", at = $"{day}T08:30:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/loans/{id}/shipped", new { at = $"{day}T15:30:00+08:00" })).EnsureSuccessStatusCode();
    }

    private static async Task Delivery(HttpClient client, string id, string day, int pages)
    {
        (await client.Post($"{A}/deliveries", new { deliveryId = id, requester = "XZMU", supplier = "SEU", title = "t", at = $"{day}T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries/{id}/fulfilled", new { pages, at = $"{day}T11:00:00+08:00" })).EnsureSuccessStatusCode();
    }

    private static async Task<JsonObject> Read(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>How many late entries a report names, whatever its shape.</summary>
    private static int Lates(JsonObject report) =>
        report["lateEntryCount"]?.GetValue<int>()
        ?? report["lateEntries"] switch
        {
            JsonArray list => list.Count,
            _ => 0,
        }
        + (report["accounts"] is JsonArray accounts ? accounts.Count(a => a!["lateEntries"]!.GetValue<decimal>() != 0) : 0);

    /// <summary>The report without what is meant to change: late entries, figures including them, and the chain head.</summary>
    private static string Comparable(JsonObject report)
    {
        var copy = JsonNode.Parse(report.ToJsonString())!;
        Strip(copy);
        return copy.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (key is "lateEntries" or "lateEntryCount" or "lateEntriesTotal" or "balanceIncludingLate" or "auditHead" or "auditHeads")
                        o.Remove(key);
                    else Strip(o[key]);
                break;
            case JsonArray a:
                foreach (var item in a) Strip(item);
                break;
        }
    }
}
