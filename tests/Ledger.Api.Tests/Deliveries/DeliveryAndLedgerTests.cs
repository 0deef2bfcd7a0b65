using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Deliveries;

public class DeliveryAndLedgerTests(LedgerApp<DeliveryAndLedgerTests> app) : IClassFixture<LedgerApp<DeliveryAndLedgerTests>>, IAsyncLifetime
{
    private readonly HttpClient client = app.As(Roles.FinanceOfficer);
    private const string A = TestAlliance.A;

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        // October: a rush copy for XZMU from SEU (12 pages) and a loan NJU ← SEU; November: a partial refund.
        (await client.Post($"{A}/deliveries", new { deliveryId = "D1", requester = "XZMU", supplier = "SEU", title = "CMJ", rush = true, at = "2026-10-03T09:00:00+08:00" }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await client.Post($"{A}/deliveries/D1/fulfilled", new { pages = 12, at = "2026-10-03T15:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/loans", new { loanId = "L1", borrower = "NJU", lender = "SEU", title = "Wenxin", at = "2026-10-08T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/loans/L1/shipped", new { at = "2026-10-09T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries/D1/refunds", new { refundId = "R1", amount = 5.60m, reason = "pages missing", at = "2026-11-02T09:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries", new { deliveryId = "D2", requester = "NJU", supplier = "XZMU", title = "x", at = "2026-10-20T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries/D2/unfilled", new { reason = "not held", at = "2026-10-21T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries", new { deliveryId = "D3", requester = "NJU", supplier = "XZMU", title = "y", at = "2026-10-22T09:00:00+08:00" })).EnsureSuccessStatusCode();
        (await client.Post($"{A}/deliveries/D3/cancelled", new { at = "2026-10-22T10:00:00+08:00" })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_delivery_is_priced_base_plus_pages_plus_rush_and_shows_its_refund()
    {
        var d = await (await client.GetAsync($"{A}/deliveries/D1")).Json();
        d.GetProperty("status").GetString().ShouldBe("fulfilled");
        d.GetProperty("charge").Decimal("fee").ShouldBe(15.60m);
        d.GetProperty("charge").Decimal("subsidy").ShouldBe(7.80m);
        d.GetProperty("refunds")[0].Decimal("amount").ShouldBe(5.60m);
        (await (await client.GetAsync($"{A}/deliveries/D2")).Json()).GetProperty("status").GetString().ShouldBe("unfilled");
        (await (await client.GetAsync($"{A}/deliveries/D3")).Json()).GetProperty("status").GetString().ShouldBe("cancelled");
    }

    [Fact]
    public async Task delivery_rules_are_409_and_unknown_deliveries_404()
    {
        (await (await client.Post($"{A}/deliveries/D2/fulfilled", new { pages = 1 })).ProblemCode()).ShouldBe("delivery_must_be_requested_to_fulfil");
        (await (await client.Post($"{A}/deliveries/D1/fulfilled", new { pages = 13 })).ProblemCode()).ShouldBe("delivery_must_not_be_fulfilled_twice_with_other_content");
        (await (await client.Post($"{A}/deliveries/D1/unfilled", new { reason = "x" })).ProblemCode()).ShouldBe("delivery_must_be_requested_to_mark_unfilled");
        (await (await client.Post($"{A}/deliveries/D1/cancelled", new { })).ProblemCode()).ShouldBe("delivery_must_be_requested_to_cancel");
        (await (await client.Post($"{A}/deliveries/D1/refunds", new { refundId = "R9", amount = 10.01m, reason = "x" })).ProblemCode())
            .ShouldBe("refund_must_not_exceed_remaining_charge");
        (await (await client.Post($"{A}/deliveries", new { deliveryId = "D1", requester = "XZMU", supplier = "SEU", title = "other" })).ProblemCode())
            .ShouldBe("delivery_id_must_not_be_reused");
        var missing = await client.GetAsync($"{A}/deliveries/NOPE");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.ProblemCode()).ShouldBe("delivery_must_exist");
        (await (await client.PostRaw($"{A}/deliveries/D1/fulfilled", """{"pages":-3}""")).ProblemCode()).ShouldBe("request_invalid");
    }

    [Fact]
    public async Task balances_as_of_a_past_date_leave_out_later_postings_and_count_what_was_recorded_after_that_date_as_late()
    {
        // XZMU paid 15.60 − 7.80 subsidy = 7.80 in October; the November refund of 5.60 gave back 2.80 to XZMU.
        // Everything here was recorded today with earlier business dates: for October it is all late.
        var october31 = await (await client.GetAsync($"{A}/members/XZMU/balance?asOf=2026-10-31")).Json();
        october31.Decimal("balanceIncludingLate").ShouldBe(-7.80m);
        october31.Decimal("balance").ShouldBe(0m);
        october31.Decimal("lateEntries").ShouldBe(-7.80m);
        october31.GetProperty("lateEntryCount").GetInt32().ShouldBe(1);
        var asKnownToday = await (await client.GetAsync($"{A}/members/XZMU/balance")).Json();
        asKnownToday.Decimal("balance").ShouldBe(-5.00m);
        asKnownToday.Decimal("lateEntries").ShouldBe(0m);
        (await (await client.GetAsync($"{A}/members/XZMU/balance?asOf=2026-10-02")).Json()).Decimal("balanceIncludingLate").ShouldBe(0m);
        var october = await (await client.GetAsync($"{A}/balances?asOf=2026-10-31")).Json();
        october.Decimal("total").ShouldBe(0m);
        october.Decimal("lateEntriesTotal").ShouldBe(0m);
        october.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("account").GetString() == "member:SEU")
            .Decimal("balanceIncludingLate").ShouldBe(15.60m + 5m + 40m + 5m);
        (await client.GetAsync($"{A}/members/XZMU/balance?asOf=31-10-2026")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var unknown = await client.GetAsync($"{A}/members/NOBODY/balance");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.ProblemCode()).ShouldBe("member_must_exist");
    }

    [Fact]
    public async Task a_statement_lists_every_posting_with_its_source_and_pages_through_them()
    {
        var all = await (await client.GetAsync($"{A}/members/SEU/statement")).Json();
        var lines = all.GetProperty("postings").EnumerateArray().ToList();
        lines.Count.ShouldBe(3);
        lines.Sum(l => l.Decimal("amount")).ShouldBe(all.Decimal("closingBalance"));
        var first = lines[0];
        first.GetProperty("eventType").GetString().ShouldBe("v1.delivery_fulfilled");
        first.GetProperty("stream").GetString().ShouldBe("delivery:D1");
        first.GetProperty("streamVersion").GetInt64().ShouldBe(2);
        first.GetProperty("businessDate").GetString().ShouldBe("2026-10-03");
        first.GetProperty("counterAccounts").EnumerateArray().Select(c => c.GetString()).ShouldBe(["member:XZMU", "grant:JALIS-IV-SUB"], ignoreOrder: true);
        first.GetProperty("sequence").GetInt64().ShouldBeGreaterThan(0);

        var page1 = await (await client.GetAsync($"{A}/members/SEU/statement?limit=2")).Json();
        page1.GetProperty("postings").GetArrayLength().ShouldBe(2);
        var next = page1.GetProperty("next").GetString();
        var page2 = await (await client.GetAsync($"{A}/members/SEU/statement?limit=2&after={next}")).Json();
        page2.GetProperty("postings").GetArrayLength().ShouldBe(1);
        page2.GetProperty("next").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        var november = await (await client.GetAsync($"{A}/members/SEU/statement?from=2026-11-01&to=2026-11-30")).Json();
        november.Decimal("openingBalance").ShouldBe(65.60m);
        // A partial refund keeps the reward: only a full refund takes it back.
        november.Decimal("closingBalance").ShouldBe(65.60m - 5.60m);
        (await client.GetAsync($"{A}/members/SEU/statement?after=garbage")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task usage_counts_requests_fills_pages_and_money_per_member_month_and_service()
    {
        await app.WaitForProjections();
        var usage = await (await client.GetAsync($"{A}/usage?from=2026-10&to=2026-11")).Json();
        var rows = usage.GetProperty("rows").EnumerateArray().ToList();
        var xzmuCopyOct = rows.Single(r => r.GetProperty("member").GetString() == "XZMU" && r.GetProperty("month").GetString() == "2026-10"
                                           && r.GetProperty("service").GetString() == "copy");
        xzmuCopyOct.GetProperty("requestsMade").GetInt32().ShouldBe(1);
        xzmuCopyOct.GetProperty("requestsFilled").GetInt32().ShouldBe(1);
        xzmuCopyOct.GetProperty("pagesReceived").GetInt32().ShouldBe(12);
        xzmuCopyOct.Decimal("feesPaid").ShouldBe(7.80m);
        xzmuCopyOct.Decimal("subsidiesReceived").ShouldBe(7.80m);
        xzmuCopyOct.GetProperty("medianTurnaroundHours").GetDouble().ShouldBe(6);
        xzmuCopyOct.GetProperty("requestsReceived").GetInt32().ShouldBe(2); // D2 and D3 asked XZMU

        var njuCopyOct = rows.Single(r => r.GetProperty("member").GetString() == "NJU" && r.GetProperty("service").GetString() == "copy");
        njuCopyOct.GetProperty("requestsUnfilled").GetInt32().ShouldBe(1);
        njuCopyOct.Decimal("fillRate").ShouldBe(0m);

        var seuLoan = await (await client.GetAsync($"{A}/usage?from=2026-10&to=2026-10&member=SEU&service=loan")).Json();
        var seu = seuLoan.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        seu.GetProperty("requestsSupplied").GetInt32().ShouldBe(1);
        seu.Decimal("feesReceived").ShouldBe(40m);
        seu.Decimal("rewardsReceived").ShouldBe(5m);
        seu.GetProperty("medianSupplyTurnaroundHours").GetDouble().ShouldBe(24);

        (await client.GetAsync($"{A}/usage?from=2026-13&to=2026-10")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync($"{A}/usage?from=2026-10&to=2026-10&service=fax")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
