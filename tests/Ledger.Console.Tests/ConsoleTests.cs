using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Api.Security;
using Microsoft.Playwright;

namespace Ledger.Console.Tests;

/// <summary>
/// The web console in headless Chromium against the real API with the demo data: each role signs in with a pasted
/// token; the figures on screen are the API's; a statement line drills down to its event; a period is closed through
/// the console after its preview and a statement downloaded; a member cannot reach another member's page. Every page
/// is saved as a screenshot, and no page may break its content security policy or throw.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(ConsoleFixture fixture) : IAsyncLifetime
{
    private readonly List<string> pageErrors = [];
    private IBrowserContext? context;
    private const string A = "/api/alliances/" + ConsoleFixture.Demo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (context is not null) await context.DisposeAsync();
        // Script errors and content-security-policy violations fail the test that caused them.
        pageErrors.ShouldBeEmpty();
    }

    private async Task<IPage> SignIn(string token)
    {
        context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, // a laptop screen
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) pageErrors.Add(message.Text);
        };
        await page.GotoAsync(new Uri(fixture.Api.Address, "/console/").ToString());
        await page.Locator("#token").FillAsync(token);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter"); // the sign-in button, reached by keyboard
        await page.Locator("[data-testid=who]").WaitForAsync();
        return page;
    }

    private async Task Shot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, $"{name}.png"), FullPage = true });

    private static decimal Amount(string? text) => decimal.Parse(text!, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static async Task<JsonElement> Get(HttpClient client, string path) => await client.GetFromJsonAsync<JsonElement>(path);

    [Fact]
    public async Task Finance_officer_sees_every_balance_as_the_api_gives_it_with_a_zero_total_and_can_switch_to_English()
    {
        var api = fixture.Api.As(Roles.FinanceOfficer, ConsoleFixture.Demo);
        var page = await SignIn(fixture.Api.Token(Roles.FinanceOfficer, ConsoleFixture.Demo));
        await page.Locator("[data-testid=balances]").WaitForAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldContain("联盟概览");

        var balances = await Get(api, $"{A}/balances");
        var accounts = balances.GetProperty("accounts").EnumerateArray().ToList();
        accounts.Count.ShouldBeGreaterThan(5);
        foreach (var account in accounts)
        {
            var cell = page.Locator($"[data-testid=balances] tr[data-account='{account.GetProperty("account").GetString()}'] td").First;
            Amount(await cell.GetAttributeAsync("data-amount")).ShouldBe(account.GetProperty("balance").GetDecimal());
        }
        Amount(await page.Locator("[data-testid=balances-total]").GetAttributeAsync("data-amount")).ShouldBe(0m);
        (await page.Locator("[data-testid=balances-total]").InnerTextAsync()).ShouldContain("0.00");
        (await page.Locator("canvas").CountAsync()).ShouldBeGreaterThan(0); // the net positions chart drew
        (await page.Locator("[data-testid=periods] tbody tr").CountAsync()).ShouldBe(11); // October closed ten months, November open
        await Shot(page, "01-overview-finance-officer");

        await page.GetByRole(AriaRole.Button, new() { Name = "English" }).ClickAsync();
        await page.Locator("h1", new() { HasText = "Alliance overview" }).WaitForAsync();
        await Shot(page, "02-overview-english");
    }

    [Fact]
    public async Task Member_page_shows_the_api_figures_and_a_statement_line_drills_down_to_its_event()
    {
        var api = fixture.Api.As(Roles.Member, ConsoleFixture.Demo, "SEU");
        var page = await SignIn(fixture.Api.Token(Roles.Member, ConsoleFixture.Demo, "SEU"));
        await page.Locator("[data-testid=statement]").WaitForAsync();
        page.Url.ShouldEndWith("#/a/JALIS/m/SEU"); // a member lands on its own page

        var balance = await Get(api, $"{A}/members/SEU/balance");
        Amount(await page.Locator("[data-testid=balance]").GetAttributeAsync("data-amount")).ShouldBe(balance.GetProperty("balance").GetDecimal());
        var statement = await Get(api, $"{A}/members/SEU/statement?limit=50");
        var lines = statement.GetProperty("postings").EnumerateArray().ToList();
        var rows = page.Locator("[data-testid=statement] tbody tr");
        (await rows.CountAsync()).ShouldBe(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            (await rows.Nth(i).GetAttributeAsync("data-sequence")).ShouldBe(lines[i].GetProperty("sequence").GetInt64().ToString(CultureInfo.InvariantCulture));
            Amount(await rows.Nth(i).Locator("td").Nth(1).GetAttributeAsync("data-amount")).ShouldBe(lines[i].GetProperty("amount").GetDecimal());
        }
        Amount(await page.Locator("[data-testid=statement-closing]").GetAttributeAsync("data-amount")).ShouldBe(statement.GetProperty("closingBalance").GetDecimal());
        var unsettled = await Get(api, $"{A}/members/SEU/unsettled");
        Amount(await page.Locator("[data-testid=unsettled-total]").GetAttributeAsync("data-amount")).ShouldBe(unsettled.GetProperty("total").GetDecimal());
        await Shot(page, "03-member-page");

        // Drill down from the last line (the November delivery) to the event behind it.
        var line = lines[^1];
        var sequence = line.GetProperty("sequence").GetInt64();
        await rows.Nth(lines.Count - 1).GetByRole(AriaRole.Link).ClickAsync();
        await page.Locator("[data-testid=event]").WaitForAsync();
        var e = await Get(api, $"{A}/events/{sequence}");
        (await page.Locator("[data-testid=event-type]").InnerTextAsync()).ShouldBe(e.GetProperty("eventType").GetString());
        (await page.Locator("[data-testid=event-recorded-by]").InnerTextAsync()).ShouldContain(line.GetProperty("recordedBy").GetString()!);
        var chain = e.GetProperty("chain");
        chain.ValueKind.ShouldBe(JsonValueKind.Object);
        (await page.Locator("[data-testid=event-chain]").InnerTextAsync()).ShouldContain(chain.GetProperty("hash").GetString()!);
        await Shot(page, "04-event-drill-down");
    }

    [Fact]
    public async Task A_member_cannot_reach_another_members_page_by_editing_the_address()
    {
        var page = await SignIn(fixture.Api.Token(Roles.Member, ConsoleFixture.Demo, "SUDA"));
        await page.Locator("[data-testid=balance]").WaitForAsync();
        await page.GotoAsync(new Uri(fixture.Api.Address, "/console/#/a/JALIS/m/SEU").ToString());
        var refusal = page.Locator(".problem");
        await refusal.WaitForAsync();
        (await refusal.GetAttributeAsync("data-code")).ShouldBe(AccessCodes.MemberOutOfScope);
        (await page.Locator("[data-testid=balance]").CountAsync()).ShouldBe(0);
        (await page.Locator("[data-testid=statement]").CountAsync()).ShouldBe(0);
        await Shot(page, "05-member-refused");

        // Nor the event behind another member's line: answered as if it did not exist.
        var seuLine = (await Get(fixture.Api.As(Roles.Member, ConsoleFixture.Demo, "SEU"), $"{A}/members/SEU/unsettled"))
            .GetProperty("lines").EnumerateArray().First(l => !l.GetProperty("counterAccounts").EnumerateArray().Any(c => c.GetString() == "member:SUDA"));
        await page.GotoAsync(new Uri(fixture.Api.Address, $"/console/#/a/JALIS/events/{seuLine.GetProperty("sequence").GetInt64()}").ToString());
        await page.Locator(".problem[data-code=event_must_exist]").WaitForAsync();
    }

    [Fact]
    public async Task Auditor_sees_the_funding_report_as_the_api_gives_it_drills_into_a_sub_project_and_verifies_the_chain()
    {
        var api = fixture.Api.As(Roles.Auditor, ConsoleFixture.Demo, department: "JSEDU");
        var page = await SignIn(fixture.Api.Token(Roles.Auditor, ConsoleFixture.Demo, department: "JSEDU"));
        await page.Locator("[data-testid=balances]").WaitForAsync();
        await Shot(page, "06-overview-auditor");
        await page.GetByRole(AriaRole.Link, new() { Name = "项目经费" }).ClickAsync();
        await page.Locator("[data-testid=funding-totals]").WaitForAsync();

        var report = await Get(api, "/api/departments/JSEDU/funding-report");
        Amount(await page.Locator("[data-testid=funding-spent]").GetAttributeAsync("data-amount")).ShouldBe(report.GetProperty("totals").GetProperty("spent").GetDecimal());
        foreach (var sub in report.GetProperty("projects")[0].GetProperty("subProjects").EnumerateArray())
        {
            var cells = page.Locator($"tr[data-sub='{sub.GetProperty("subProject").GetString()}'] td.num");
            Amount(await cells.Nth(2).GetAttributeAsync("data-amount")).ShouldBe(sub.GetProperty("spent").GetDecimal());
        }
        var digest = await Get(api, "/api/audit/digest");
        (await page.Locator("[data-testid=chain-head]").InnerTextAsync()).ShouldContain(digest.GetProperty("hash").GetString()!);
        // The node's own verification, as the audit status reports it: intact, up to a sequence, at a time.
        var check = (await Get(api, "/api/audit/status")).EnumerateArray().Single();
        var selfCheck = page.Locator("[data-testid=self-check]");
        (await selfCheck.GetAttributeAsync("class")).ShouldBe(check.GetProperty("intact").GetBoolean() ? "ok" : "bad");
        check.GetProperty("intact").GetBoolean().ShouldBeTrue();
        long.Parse(await page.Locator("[data-testid=self-check-sequence]").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeLessThanOrEqualTo(check.GetProperty("verifiedUpTo").GetInt64());

        await page.Locator("[data-testid=verify]").ClickAsync();
        var verdict = page.Locator("[data-testid=verification]");
        await verdict.WaitForAsync();
        (await verdict.GetAttributeAsync("class")).ShouldBe("ok");
        await Shot(page, "07-funding-auditor");

        await page.GetByRole(AriaRole.Link, new() { Name = "JALIS-IV-EQ" }).ClickAsync();
        await page.Locator("[data-testid=expenditures]").WaitForAsync();
        var sub2 = await Get(api, $"{A}/subprojects/JALIS-IV-EQ");
        (await page.Locator("[data-testid=expenditures] tbody tr").CountAsync()).ShouldBe(sub2.GetProperty("expenditures").GetArrayLength());
        await page.Locator("[data-testid=entries] tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await page.Locator("[data-testid=event-type]").WaitForAsync();
        (await page.Locator("[data-testid=event-type]").InnerTextAsync()).ShouldBe("v1.funds_allocated");
        await Shot(page, "08-funding-drill-down");
    }

    [Fact]
    public async Task Sharing_page_shows_the_licence_allocation_as_the_api_gives_it()
    {
        var api = fixture.Api.As(Roles.FinanceOfficer, ConsoleFixture.Demo);
        var page = await SignIn(fixture.Api.Token(Roles.FinanceOfficer, ConsoleFixture.Demo));
        await page.GetByRole(AriaRole.Link, new() { Name = "联合采购与费用分摊" }).ClickAsync();
        var card = page.Locator("[data-testid=purchase][data-id=DEMO-LIC-2026]");
        await card.WaitForAsync();
        var purchase = await Get(api, $"{A}/joint-purchases/DEMO-LIC-2026");
        var participants = purchase.GetProperty("participants").EnumerateArray().ToList();
        var rows = card.Locator("tbody tr");
        (await rows.CountAsync()).ShouldBe(participants.Count);
        for (var i = 0; i < participants.Count; i++)
        {
            (await rows.Nth(i).Locator("th").InnerTextAsync()).ShouldBe(participants[i].GetProperty("member").GetString());
            Amount(await rows.Nth(i).Locator("td").Nth(2).GetAttributeAsync("data-amount")).ShouldBe(participants[i].GetProperty("share").GetDecimal());
        }
        (await card.Locator("canvas").CountAsync()).ShouldBeGreaterThan(0);
        await Shot(page, "09-sharing");
    }

    [Fact]
    public async Task Finance_officer_closes_a_period_through_the_console_after_its_preview_and_downloads_a_statement()
    {
        var api = fixture.Api.As(Roles.FinanceOfficer, ConsoleFixture.Closing);
        var page = await SignIn(fixture.Api.Token(Roles.FinanceOfficer, ConsoleFixture.Closing));
        await page.GetByRole(AriaRole.Link, new() { Name = "结算期" }).ClickAsync();
        await page.Locator("[data-testid=close-period]").ClickAsync();

        // The preview shows the netting the close will issue, and nothing is closed yet.
        var preview = page.Locator("[data-testid=close-preview]");
        await preview.WaitForAsync();
        var expected = await Get(api, "/api/alliances/CLOSE/periods/2026-01/preview");
        var aLib = expected.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("member").GetString() == "ALIB");
        Amount(await preview.Locator("[data-testid=statements] tr[data-member=ALIB] td").Nth(2).GetAttributeAsync("data-amount"))
            .ShouldBe(aLib.GetProperty("closingBalance").GetDecimal());
        aLib.GetProperty("closingBalance").GetDecimal().ShouldBe(1234.50m);
        (await Get(api, "/api/alliances/CLOSE/periods")).GetProperty("closed").GetArrayLength().ShouldBe(0);
        await Shot(page, "10-close-preview");

        await page.Locator("[data-testid=confirm-close]").ClickAsync();
        await page.Locator("[data-testid=closed-ok]").WaitForAsync();
        var periods = await Get(api, "/api/alliances/CLOSE/periods");
        periods.GetProperty("closed").EnumerateArray().Single().GetProperty("period").GetString().ShouldBe("2026-01");
        await Shot(page, "11-period-closed");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-2026-01-ALIB-csv]").ClickAsync());
        var saved = Path.Combine(fixture.Screenshots, "ALIB-2026-01-statement.csv");
        await download.SaveAsAsync(saved);
        var fromApi = await api.GetByteArrayAsync("/api/alliances/CLOSE/periods/2026-01/statements/ALIB?format=csv");
        (await File.ReadAllBytesAsync(saved)).ShouldBe(fromApi);
        System.Text.Encoding.UTF8.GetString(fromApi).ShouldContain("1234.5");
    }
}
