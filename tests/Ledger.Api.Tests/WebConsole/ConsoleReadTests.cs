using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Api.WebConsole;

namespace Ledger.Api.Tests.WebConsole;

/// <summary>
/// The reads the web console added to the API: what is not settled yet, the preview of a close (equal to what the
/// close then issues, and recording nothing), who the caller is, a member's events, and how the console is served.
/// </summary>
public class ConsoleReadTests(LedgerApp<ConsoleReadTests> app) : ConsoleReadTestsCases(app), IClassFixture<LedgerApp<ConsoleReadTests>>;

/// <summary>The same tests on a host whose clock is five years ahead: none of them depends on the day the suite runs.</summary>
public class ConsoleReadTestsFiveYearsOn(LaterDayApp<ConsoleReadTestsFiveYearsOn> app) : ConsoleReadTestsCases(app), IClassFixture<LaterDayApp<ConsoleReadTestsFiveYearsOn>>;

public abstract class ConsoleReadTestsCases(LedgerApp app) : IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private Task Pay(string id, string member, decimal amount, string paidOn) =>
        app.As(Roles.FinanceOfficer).Post($"{A}/payments", new
        {
            paymentId = id,
            member,
            direction = "member-to-centre",
            amount,
            paidOn,
            bankReference = id,
            at = $"{paidOn}T10:00:00+08:00"
        }).ContinueWith(t => t.Result.EnsureSuccessStatusCode());

    [Fact]
    public async Task unsettled_is_what_no_closed_period_holds_and_the_preview_is_what_the_close_issues_without_recording_anything()
    {
        var finance = app.As(Roles.FinanceOfficer);
        await Pay("U-JAN", "SEU", 100m, "2026-01-10");
        await Pay("U-FEB", "SEU", 7.25m, "2026-02-10");
        var before = await (await finance.GetAsync($"{A}/members/SEU/unsettled")).Json();
        before.GetProperty("count").GetInt32().ShouldBe(2);
        before.Decimal("total").ShouldBe(107.25m);
        before.GetProperty("lastClosedPeriod").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        var events = await app.EventCount();
        var preview = await (await finance.GetAsync($"{A}/periods/2026-01/preview")).Json();
        (await app.EventCount()).ShouldBe(events); // a preview records nothing
        preview.GetProperty("closedAt").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        var closed = await (await finance.Post($"{A}/periods/2026-01/close", new { })).Json();
        foreach (var field in new[] { "accounts", "bilateral", "statements" })
            closed.GetProperty(field).GetRawText().ShouldBe(preview.GetProperty(field).GetRawText());

        var after = await (await app.As(Roles.Member, member: "SEU").GetAsync($"{A}/members/SEU/unsettled")).Json();
        after.GetProperty("lastClosedPeriod").GetString().ShouldBe("2026-01");
        after.GetProperty("count").GetInt32().ShouldBe(1);
        after.Decimal("total").ShouldBe(7.25m);
        after.GetProperty("lines")[0].GetProperty("businessDate").GetString().ShouldBe("2026-02-10");

        // A period that has not ended cannot be previewed, as it cannot be closed.
        var early = await finance.GetAsync($"{A}/periods/2026-02/preview");
        early.StatusCode.ShouldBe(HttpStatusCode.OK); // February has ended by the test clock's today…
        (await finance.GetAsync($"{A}/periods/2026-03/preview")).StatusCode.ShouldBe(HttpStatusCode.Conflict); // …but March is not the first open one
        (await (await finance.GetAsync($"{A}/members/SEU/unsettled?limit=0")).ProblemCode()).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task a_member_reads_the_events_behind_its_own_lines_and_no_others()
    {
        await Pay("E-NJU", "NJU", 3m, "2026-10-03");
        await Pay("E-SEU", "SEU", 4m, "2026-10-03");
        var nju = app.As(Roles.Member, member: "NJU");
        var own = (await (await nju.GetAsync($"{A}/members/NJU/statement?from=2026-10-03&to=2026-10-03")).Json()).GetProperty("postings")[0];
        var seu = (await (await app.As(Roles.Member, member: "SEU").GetAsync($"{A}/members/SEU/statement?from=2026-10-03&to=2026-10-03")).Json())
            .GetProperty("postings")[0];
        var e = await (await nju.GetAsync($"{A}/events/{own.GetProperty("sequence").GetInt64()}")).Json();
        e.GetProperty("eventId").GetString().ShouldBe(own.GetProperty("eventId").GetString());
        var refused = await nju.GetAsync($"{A}/events/by-id/{seu.GetProperty("eventId").GetString()}");
        refused.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await refused.ProblemCode()).ShouldBe("event_must_exist");
    }

    [Fact]
    public async Task who_am_i_names_the_role_scope_and_reachable_alliances()
    {
        var me = await (await app.As(Roles.Member, member: "SEU").GetAsync("/api/me")).Json();
        me.GetProperty("role").GetString().ShouldBe("member");
        me.GetProperty("member").GetString().ShouldBe("SEU");
        me.GetProperty("alliances").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ShouldBe(["TST"]);
        var auditor = await (await app.As(Roles.Auditor).GetAsync("/api/me")).Json();
        auditor.GetProperty("alliances").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ShouldContain("TST");
        (await app.CreateClient().GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task the_console_is_served_anonymously_with_its_own_policy_while_the_api_keeps_its_own()
    {
        var config = await app.CreateClient().GetAsync("/console/config.json");
        config.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await config.Json();
        body.GetProperty("tokenPaste").GetBoolean().ShouldBeTrue();
        body.GetProperty("oidc").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        var csp = config.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-inline");
        (await app.CreateClient().GetAsync("/health")).Headers.GetValues("Content-Security-Policy").Single().ShouldStartWith("default-src 'none'");

        // With an identity provider and a client id, the console signs in there (its origin joins connect-src).
        var oidc = ConsoleHosting.Config(new ConsoleSettings { OidcClientId = "ledger-console", AllowTokenPaste = false },
            new AuthSettings { Authority = "https://sso.example.edu.cn/realms/jalis" });
        oidc.Oidc.ShouldNotBeNull().ClientId.ShouldBe("ledger-console");
        oidc.TokenPaste.ShouldBeFalse();
        ConsoleHosting.ContentSecurityPolicy(new AuthSettings { Authority = "https://sso.example.edu.cn/realms/jalis" })
            .ShouldContain("connect-src 'self' https://sso.example.edu.cn");
    }
}
