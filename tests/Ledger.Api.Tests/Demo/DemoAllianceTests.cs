using Ledger.Api.Demo;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Demo;

/// <summary>The demo the run command loads: through the command path, twice without change, with a closed month that adds up.</summary>
public class DemoAllianceTests(LedgerApp<DemoAllianceTests> app) : IClassFixture<LedgerApp<DemoAllianceTests>>
{
    private const string A = "/api/alliances/JALIS";

    [Fact]
    public async Task the_demo_loads_once_carries_a_joint_purchase_and_a_closed_october_and_loading_again_records_nothing()
    {
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DemoAlliance>().Load(CancellationToken.None);
        var events = await app.EventCount();
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DemoAlliance>().Load(CancellationToken.None);
        (await app.EventCount()).ShouldBe(events);

        var finance = app.As(Roles.FinanceOfficer, alliance: "JALIS");
        var purchase = await (await finance.GetAsync($"{A}/joint-purchases/DEMO-LIC-2026")).Json();
        purchase.GetProperty("participants").EnumerateArray().Sum(p => p.Decimal("share")).ShouldBe(400_000m);
        purchase.GetProperty("participants").EnumerateArray().Sum(p => p.Decimal("covered")).ShouldBe(120_000m);

        var periods = await (await finance.GetAsync($"{A}/periods")).Json();
        periods.GetProperty("closed").GetArrayLength().ShouldBe(10);
        var october = await (await app.As(Roles.Auditor, department: "JSEDU").GetAsync($"{A}/periods/2026-10/settlement")).Json();
        october.GetProperty("accounts").EnumerateArray().Sum(a => a.Decimal("closing")).ShouldBe(0m);
        var seu = await (await app.As(Roles.Member, member: "SEU", alliance: "JALIS").GetAsync($"{A}/periods/2026-10/statements/SEU")).Json();
        seu.GetProperty("postings").GetArrayLength().ShouldBeGreaterThan(3);
        seu.GetProperty("postings").EnumerateArray().First().GetProperty("recordedBy").GetString().ShouldBe("demo-loader");

        foreach (var (variable, token) in DemoAlliance.DemoTokens(app.Tokens))
            (await app.WithToken(token).GetAsync(A)).EnsureSuccessStatusCode();
    }
}
