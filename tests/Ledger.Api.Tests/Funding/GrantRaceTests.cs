using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Projections.Funding;

namespace Ledger.Api.Tests.Funding;

/// <summary>
/// Many subsidised shipments at once against a grant that can pay only a few: grants are read without locks, so the
/// running total's constraint must let exactly as many commit as the funds pay for, and the rest are decided again
/// (subsidy withheld) — never an overspend, never a failed request.
/// </summary>
public class GrantRaceTests(LedgerApp<GrantRaceTests> app) : IClassFixture<LedgerApp<GrantRaceTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public async Task InitializeAsync()
    {
        await TestAlliance.Ensure(app);
        var finance = app.As(Roles.FinanceOfficer);
        (await finance.Post($"{A}/subprojects", new { code = "RACE", projectCode = "JALIS-IV", title = "Small grant", undertakingMember = "NJU", budget = new[] { new { line = "subsidy", amount = 1_000m } } }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/RACE/allocations", new { allocationId = "R-A", fiscalYear = 2026, amount = 100m, allocatedOn = "2026-11-01" })).EnsureSuccessStatusCode();
        await TestAlliance.FeePolicy(app.As(Roles.Operator), "2026-11-02", "RACE");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task thirty_shipments_racing_for_a_grant_that_pays_four_get_exactly_four_subsidies_and_the_grant_ends_at_zero()
    {
        var finance = app.As(Roles.FinanceOfficer);
        for (var i = 0; i < 30; i++)
            (await finance.Post($"{A}/loans", new { loanId = $"RACE-{i}", borrower = "XZMU", lender = "NJU", title = "t", at = "2026-11-05T09:00:00+08:00" }))
                .EnsureSuccessStatusCode();

        // Each subsidised shipment spends 20 subsidy + 5 reward = 25 of the 100 allocated.
        var shipped = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            var response = await app.As(Roles.FinanceOfficer).Post($"{A}/loans/RACE-{i}/shipped", new { at = "2026-11-06T09:00:00+08:00" });
            response.EnsureSuccessStatusCode();
            return (await response.Json()).GetProperty("charge").Decimal("subsidy");
        }));

        shipped.Count(s => s == 20m).ShouldBe(4);
        shipped.Count(s => s == 0m).ShouldBe(26);
        var race = await (await app.As(Roles.Auditor).GetAsync($"{A}/subprojects/RACE")).Json();
        race.Decimal("available").ShouldBe(0m);
        await using var session = app.Store.QuerySession(TestAlliance.Code);
        (await FundingQueries.SumOfEntriesFen(session, "RACE", CancellationToken.None)).ShouldBe(0);
        (await FundingQueries.AvailableFen(session, "RACE", CancellationToken.None)).ShouldBe(0);
    }

    [Fact]
    public async Task the_running_totals_recomputed_from_the_funding_entries_are_what_they_were()
    {
        await using var session = app.Store.QuerySession(TestAlliance.Code);
        var before = await FundingQueries.AvailableFen(session, "JALIS-IV-SUB", CancellationToken.None);
        await GrantFunds.Recompute(app.Store, CancellationToken.None);
        (await FundingQueries.AvailableFen(session, "JALIS-IV-SUB", CancellationToken.None)).ShouldBe(before);
        (await FundingQueries.SumOfEntriesFen(session, "JALIS-IV-SUB", CancellationToken.None)).ShouldBe(before);
        before.ShouldBe(100_000_00);

        // A ledger that recorded funds before the table existed: empty table, entries present → filled on start.
        await using (var clear = app.Store.LightweightSession())
        {
            clear.QueueSqlCommand($"delete from {LedgerApp<GrantRaceTests>.Schema}.{GrantFunds.TableName}");
            await clear.SaveChangesAsync();
        }
        (await FundingQueries.AvailableFen(session, "JALIS-IV-SUB", CancellationToken.None)).ShouldBe(0);
        await GrantFunds.InitialiseIfEmpty(app.Store, CancellationToken.None);
        await GrantFunds.InitialiseIfEmpty(app.Store, CancellationToken.None); // a second start changes nothing
        (await FundingQueries.AvailableFen(session, "JALIS-IV-SUB", CancellationToken.None)).ShouldBe(before);
    }
}
