using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Clock;

/// <summary>
/// Ledger:Clock:Offset moves the whole host: a command without `at` is dated by it, and a token's lifetime is measured by
/// it. The classes that run again on a later day (…FiveYearsOn) rely on both.
/// </summary>
public class HostClockTests(LaterDayApp<HostClockTests> app) : IClassFixture<LaterDayApp<HostClockTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_command_without_a_time_is_dated_by_the_moved_clock()
    {
        var real = DateTimeOffset.UtcNow;
        (app.Now - real).ShouldBeGreaterThan(TimeSpan.FromDays(5 * 365));
        var finance = app.As(Roles.FinanceOfficer);
        (await finance.Post($"{A}/loans", new { loanId = "CLOCK-1", borrower = "XZMU", lender = "NJU", title = "t" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var loan = await (await finance.GetAsync($"{A}/loans/CLOCK-1")).Json();
        var requestedAt = loan.GetProperty("requestedAt").GetDateTimeOffset();
        (requestedAt - real).ShouldBeGreaterThan(TimeSpan.FromDays(5 * 365));
        (requestedAt - app.Now).Duration().ShouldBeLessThan(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task a_token_is_measured_by_the_moved_clock()
    {
        // Issued by the host (dated by its clock): accepted. Issued by the machine's clock for an hour: long expired there.
        (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/balances")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var realIssuer = new TokenIssuer(new AuthSettings { SigningKey = LedgerApp.SigningKey }, TimeProvider.System);
        var stale = realIssuer.Issue(new TokenRequest("fo", Roles.FinanceOfficer, [TestAlliance.Code], Lifetime: TimeSpan.FromHours(1)));
        var refused = await app.WithToken(stale).GetAsync($"{A}/balances");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("expired");
    }
}
