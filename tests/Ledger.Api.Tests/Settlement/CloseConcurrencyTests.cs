using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Settlement;

/// <summary>
/// Closing a period while payments dated in it are being recorded: every payment lands in exactly one period (the
/// closed one, or as a late event in the next), none is lost or counted twice. This is what the exclusive
/// settlement lock is for.
/// </summary>
public class CloseConcurrencyTests(LedgerApp<CloseConcurrencyTests> app) : IClassFixture<LedgerApp<CloseConcurrencyTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task payments_racing_a_close_each_land_in_exactly_one_period()
    {
        var finance = app.As(Roles.FinanceOfficer);
        const int payments = 60;
        var tasks = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < payments; i++)
        {
            tasks.Add(finance.Post($"{A}/payments", new { paymentId = $"RACE-{i}", member = i % 2 == 0 ? "NJU" : "SEU", direction = "member-to-centre", amount = 1m + i, paidOn = "2026-01-15", bankReference = $"B{i}" }));
            if (i == payments / 3) tasks.Add(finance.Post($"{A}/periods/2026-01/close", new { }));
        }
        foreach (var response in await Task.WhenAll(tasks)) response.EnsureSuccessStatusCode();

        var february = await (await finance.Post($"{A}/periods/2026-02/close", new { })).Json();
        var january = await (await finance.GetAsync($"{A}/periods/2026-01/settlement")).Json();
        decimal Cash(System.Text.Json.JsonElement s) =>
            s.GetProperty("accounts").EnumerateArray().Where(a => a.GetProperty("account").GetString() == "cash").Sum(a => a.Decimal("movement"));
        var expected = -Enumerable.Range(0, payments).Sum(i => 1m + i);
        (Cash(january) + Cash(february)).ShouldBe(expected);

        // Both statements of each member still verify against their digests.
        foreach (var period in new[] { "2026-01", "2026-02" })
            foreach (var member in new[] { "NJU", "SEU" })
                (await finance.GetAsync($"{A}/periods/{period}/statements/{member}")).EnsureSuccessStatusCode();
    }
}
