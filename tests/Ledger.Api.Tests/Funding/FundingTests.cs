using System.Net;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Projections.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Funding;

/// <summary>
/// The auditor's question on PostgreSQL: how much of JALIS phase IV's 2026 subsidy allocation was spent, on how many
/// requests, and can the figures be shown unaltered? With the funding rules that keep a grant from being overspent.
/// </summary>
public class FundingTests(LedgerApp<FundingTests> app) : FundingTestsCases(app), IClassFixture<LedgerApp<FundingTests>>;

/// <summary>The same tests on a host whose clock is five years ahead: none of them depends on the day the suite runs.</summary>
public class FundingTestsFiveYearsOn(LaterDayApp<FundingTestsFiveYearsOn> app) : FundingTestsCases(app), IClassFixture<LaterDayApp<FundingTestsFiveYearsOn>>;

public abstract class FundingTestsCases(LedgerApp app) : IAsyncLifetime
{
    private const string A = TestAlliance.A;
    private readonly HttpClient finance = app.As(Roles.FinanceOfficer);
    private readonly HttpClient auditor = app.As(Roles.Auditor);

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        // Three subsidised loans to the northern member (fee 40: subsidy 20, reward 5) and one southern (reward 5 only).
        foreach (var (id, borrower) in new[] { ("F1", "XZMU"), ("F2", "XZMU"), ("F3", "XZMU"), ("F4", "SEU") })
        {
            (await finance.Post($"{A}/loans", new { loanId = id, borrower, lender = "NJU", title = "t", at = "2026-10-05T09:00:00+08:00" })).EnsureSuccessStatusCode();
            (await finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-10-06T09:00:00+08:00" })).EnsureSuccessStatusCode();
        }
        // A 12-page delivery to the northern member: fee 5.60, subsidy 2.80, reward 5.
        (await finance.Post($"{A}/deliveries", new { deliveryId = "FD1", requester = "XZMU", supplier = "SEU", title = "t", at = "2026-10-07T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await finance.Post($"{A}/deliveries/FD1/fulfilled", new { pages = 12, at = "2026-10-07T15:00:00+08:00" })).EnsureSuccessStatusCode();
        // Direct expenditures on the operations line, one reversed.
        (await finance.Post($"{A}/subprojects/JALIS-IV-SUB/expenditures", new { expenditureId = "OP-1", line = "operations", amount = 1_000m, spentOn = "2026-10-10", voucher = "JX-1", description = "courier bags" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/JALIS-IV-SUB/expenditures", new { expenditureId = "OP-2", line = "operations", amount = 300m, spentOn = "2026-10-11", voucher = "JX-2", description = "typo" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/JALIS-IV-SUB/expenditures/OP-2/reversal", new { reason = "booked twice", reversedOn = "2026-10-12" })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static JsonElement Sub(JsonElement report, string code) => report.GetProperty("projects").EnumerateArray()
        .SelectMany(p => p.GetProperty("subProjects").EnumerateArray()).Single(s => s.GetProperty("subProject").GetString() == code);

    [Fact]
    public async Task the_auditor_sees_how_much_of_the_2026_subsidy_allocation_was_spent_on_how_many_requests_with_the_chain_head()
    {
        await app.Services.GetRequiredService<AuditChains>().For(TestAlliance.Code).CatchUp(CancellationToken.None);
        var report = await (await auditor.GetAsync("/api/departments/JSEDU/funding-report?fiscalYear=2026&project=JALIS-IV")).Json();
        var sub = Sub(report, "JALIS-IV-SUB");
        sub.Decimal("allocated").ShouldBe(100_000m);
        // 3 × (20 + 5) + 5 + (2.80 + 5) subsidy and rewards, plus 1,000 of operations (the reversed 300 nets out).
        var subsidyLine = sub.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("line").GetString() == "subsidy");
        subsidyLine.Decimal("spent").ShouldBe(87.80m);
        sub.Decimal("spent").ShouldBe(1_087.80m);
        sub.Decimal("remaining").ShouldBe(100_000m - 1_087.80m);
        sub.Decimal("executionRate").ShouldBe(0.0109m);
        sub.GetProperty("subsidisedRequests").GetInt32().ShouldBe(4);
        sub.GetProperty("subsidisedPages").GetInt32().ShouldBe(12);
        sub.Decimal("subsidies").ShouldBe(62.80m);
        sub.Decimal("rewardsPaid").ShouldBe(25m);
        sub.GetProperty("withheldRequests").GetInt32().ShouldBe(0);
        // Each request's subsidy and reward are amounts of their own in the entries (the amount is their sum).
        var shipment = (await (await auditor.GetAsync($"{A}/subprojects/JALIS-IV-SUB/entries")).Json()).GetProperty("entries").EnumerateArray()
            .First(e => e.GetProperty("eventType").GetString() == "v1.loan_shipped" && e.Decimal("subsidy") > 0);
        (shipment.Decimal("subsidy"), shipment.Decimal("reward"), shipment.Decimal("amount")).ShouldBe((20m, 5m, 25m));
        report.GetProperty("auditHead").GetProperty("sequence").GetInt64().ShouldBeGreaterThan(0);
        report.GetProperty("auditHead").GetProperty("hash").GetString()!.Length.ShouldBe(64);
        (await (await auditor.GetAsync("/api/audit/verification")).Json()).GetProperty("intact").GetBoolean().ShouldBeTrue();

        var csv = await (await auditor.GetAsync("/api/departments/JSEDU/funding-report?fiscalYear=2026&format=csv")).Content.ReadAsStringAsync();
        csv.ShouldContain("JALIS-IV-SUB");
        var xlsx = await auditor.GetAsync("/api/departments/JSEDU/funding-report?fiscalYear=2026&format=xlsx");
        xlsx.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        (await app.As(Roles.Auditor, department: "ZJEDU").GetAsync("/api/departments/JSEDU/funding-report")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var byFinance = await finance.GetAsync("/api/departments/JSEDU/funding-report");
        byFinance.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task a_report_for_an_earlier_date_leaves_out_what_was_recorded_later_and_lists_it_as_late()
    {
        var yesterday = app.Today.AddDays(-1);
        var report = await (await auditor.GetAsync($"/api/departments/JSEDU/funding-report?asOf={yesterday:yyyy-MM-dd}")).Json();
        // Everything in this test store was recorded today, so yesterday's report shows no project (none was approved
        // by then) and lists every movement as late.
        report.GetProperty("projects").GetArrayLength().ShouldBe(0);
        report.GetProperty("totals").Decimal("allocated").ShouldBe(0m);
        var late = report.GetProperty("lateEntries").EnumerateArray().ToList();
        late.ShouldContain(l => l.GetProperty("kind").GetString() == "Allocated" && l.Decimal("amount") == 100_000m);
        late.ShouldContain(l => l.GetProperty("eventType").GetString() == "v1.loan_shipped");
    }

    [Fact]
    public async Task an_expenditure_beyond_the_funds_or_on_an_accepted_sub_project_is_refused_and_changes_nothing()
    {
        (await finance.Post($"{A}/subprojects", new { code = "EQ", projectCode = "JALIS-IV", title = "Scanner", undertakingMember = "SEU", budget = new[] { new { line = "equipment", amount = 1_000m } } }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/EQ/allocations", new { allocationId = "EQ-A", fiscalYear = 2026, amount = 500m, allocatedOn = "2026-03-01" })).EnsureSuccessStatusCode();
        var before = await app.EventCount();
        var over = await finance.Post($"{A}/subprojects/EQ/expenditures", new { expenditureId = "EQ-1", line = "equipment", amount = 500.01m, spentOn = "2026-04-01", voucher = "V", description = "d" });
        (await over.ProblemCode()).ShouldBe("expenditure_must_not_exceed_available_funds");
        var noLine = await finance.Post($"{A}/subprojects/EQ/expenditures", new { expenditureId = "EQ-1", line = "labour", amount = 1m, spentOn = "2026-04-01", voucher = "V", description = "d" });
        (await noLine.ProblemCode()).ShouldBe("budget_line_must_exist_in_subproject");
        (await app.EventCount()).ShouldBe(before);

        (await finance.Post($"{A}/subprojects/EQ/expenditures", new { expenditureId = "EQ-1", line = "equipment", amount = 500m, spentOn = "2026-04-01", voucher = "V", description = "d" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/EQ/acceptance", new { acceptedOn = "2026-06-30", grade = "good", score = 85m, remarks = "ok" })).EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/EQ/allocations", new { allocationId = "EQ-B", fiscalYear = 2026, amount = 5m, allocatedOn = "2026-07-01" })).StatusCode
            .ShouldBe(HttpStatusCode.Conflict);
        var sub = await (await auditor.GetAsync($"{A}/subprojects/EQ")).Json();
        sub.Decimal("available").ShouldBe(0m);
        sub.GetProperty("status").GetString().ShouldBe("accepted");
    }

    [Fact]
    public async Task funds_move_between_sub_projects_with_both_sides_recorded()
    {
        (await finance.Post($"{A}/subprojects", new { code = "MV", projectCode = "JALIS-IV", title = "Training", undertakingMember = "NJU", budget = new[] { new { line = "labour", amount = 100m } } }))
            .EnsureSuccessStatusCode();
        // From a sub-project of its own, so the other tests' figures for JALIS-IV-SUB do not depend on the order tests run in.
        (await finance.Post($"{A}/subprojects", new { code = "MVSRC", projectCode = "JALIS-IV", title = "Reserve", undertakingMember = "NJU", budget = new[] { new { line = "labour", amount = 100m } } }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/MVSRC/allocations", new { allocationId = "MVSRC-A", fiscalYear = 2026, amount = 100m, allocatedOn = "2026-08-01" })).EnsureSuccessStatusCode();
        var moved = await (await finance.Post($"{A}/subprojects/MVSRC/moves", new { moveId = "MOVE-1", toSubProject = "MV", amount = 50m, movedOn = "2026-09-01", reason = "training" })).Json();
        var target = await (await auditor.GetAsync($"{A}/subprojects/MV")).Json();
        target.Decimal("available").ShouldBe(50m);
        var balances = await (await finance.GetAsync($"{A}/balances")).Json();
        balances.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("account").GetString() == "transfer:MOVE-1").Decimal("balance").ShouldBe(0m);
        moved.Decimal("available").ShouldBe(50m); // what the source has left
        (await (await finance.Post($"{A}/subprojects/MV/moves", new { moveId = "MOVE-2", toSubProject = "MVSRC", amount = 50.01m, movedOn = "2026-09-02", reason = "x" })).ProblemCode())
            .ShouldBe("expenditure_must_not_exceed_available_funds");
    }

    [Fact]
    public async Task a_subsidy_the_grant_cannot_pay_is_withheld_the_borrower_pays_the_whole_fee_and_an_event_says_so()
    {
        (await finance.Post($"{A}/subprojects", new { code = "TINY", projectCode = "JALIS-IV", title = "Small grant", undertakingMember = "NJU", budget = new[] { new { line = "subsidy", amount = 100m } } }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/TINY/allocations", new { allocationId = "T-A", fiscalYear = 2026, amount = 10m, allocatedOn = "2026-11-01" })).EnsureSuccessStatusCode();
        await TestAlliance.FeePolicy(app.As(Roles.Operator), "2026-11-10", "TINY");
        (await finance.Post($"{A}/loans", new { loanId = "W1", borrower = "XZMU", lender = "NJU", title = "t", at = "2026-11-12T09:00:00+08:00" })).EnsureSuccessStatusCode();
        var shipped = await (await finance.Post($"{A}/loans/W1/shipped", new { at = "2026-11-13T09:00:00+08:00" })).Json();
        var charge = shipped.GetProperty("charge");
        charge.Decimal("subsidy").ShouldBe(0m);
        charge.Decimal("reward").ShouldBe(0m);
        charge.Decimal("borrowerPays").ShouldBe(40m);
        var sequence = shipped.GetProperty("version").GetInt64();
        var events = await (await finance.GetAsync($"{A}/events/by-id/{Guid.Empty}")).Json(); // 404 body, just to be sure the route answers
        events.GetProperty("code").GetString().ShouldBe("event_must_exist");
        var tiny = await (await auditor.GetAsync($"{A}/subprojects/TINY")).Json();
        tiny.Decimal("available").ShouldBe(10m);
        sequence.ShouldBe(3); // requested, shipped, grant withheld

        // The auditor finds it: in the sub-project's entries (what was wanted, moving nothing) and in the report's counts.
        var entries = (await (await auditor.GetAsync($"{A}/subprojects/TINY/entries")).Json()).GetProperty("entries").EnumerateArray().ToList();
        var withheld = entries.Single(e => e.GetProperty("kind").GetString() == "Withheld");
        withheld.Decimal("amount").ShouldBe(25m);
        withheld.GetProperty("eventType").GetString().ShouldBe("v1.loan_grant_withheld");
        var report = await (await auditor.GetAsync("/api/departments/JSEDU/funding-report?project=JALIS-IV")).Json();
        var sub = Sub(report, "TINY");
        sub.GetProperty("withheldRequests").GetInt32().ShouldBe(1);
        sub.Decimal("withheld").ShouldBe(25m);
        sub.Decimal("spent").ShouldBe(0m);
        sub.GetProperty("subsidisedRequests").GetInt32().ShouldBe(0);
    }
}
