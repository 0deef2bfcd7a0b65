using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Loans;

public class LoanEndpointTests(LedgerApp<LoanEndpointTests> app) : IClassFixture<LedgerApp<LoanEndpointTests>>, IAsyncLifetime
{
    private readonly HttpClient client = app.As(Roles.FinanceOfficer);
    private const string A = TestAlliance.A;

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<HttpResponseMessage> Request(string id, string borrower = "XZMU", string lender = "NJU", decimal? maximumCost = null) =>
        await client.Post($"{A}/loans", new { loanId = id, borrower, lender, title = "Harrison's", maximumCost, at = "2026-10-12T08:30:00+08:00" });

    private Task<HttpResponseMessage> Step(string id, string step, object? body = null) =>
        client.Post($"{A}/loans/{id}/{step}", body ?? new { at = "2026-10-13T09:00:00+08:00" });

    private async Task<decimal> Balance(string member, string? asOf = null) =>
        (await (await client.GetAsync($"{A}/members/{member}/balance" + (asOf is null ? "" : $"?asOf={asOf}"))).Json()).Decimal("balance");

    [Fact]
    public async Task a_loan_from_request_to_return_moves_the_fee_and_the_alliance_nets_to_zero()
    {
        var (xzmu, nju) = (await Balance("XZMU"), await Balance("NJU"));
        var created = await Request("LIFE-1", maximumCost: 60m);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe($"{A}/loans/LIFE-1");
        (await Step("LIFE-1", "shipped")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Step("LIFE-1", "received", new { at = "2026-10-15T09:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var returned = await Step("LIFE-1", "returned", new { at = "2026-11-02T09:00:00+08:00" });
        var loan = await returned.Json();
        loan.GetProperty("status").GetString().ShouldBe("returned");
        var charge = loan.GetProperty("charge");
        charge.Decimal("fee").ShouldBe(40m);
        charge.Decimal("subsidy").ShouldBe(20m);
        charge.Decimal("reward").ShouldBe(5m);
        returned.Headers.ETag!.Tag.ShouldBe("\"4\"");

        (await Balance("XZMU")).ShouldBe(xzmu - 20m);
        (await Balance("NJU")).ShouldBe(nju + 45m);
        var balances = await (await client.GetAsync($"{A}/balances")).Json();
        balances.Decimal("total").ShouldBe(0m);
        balances.GetProperty("accounts").EnumerateArray().ShouldContain(a => a.GetProperty("account").GetString() == "grant:JALIS-IV-SUB");
    }

    [Fact]
    public async Task a_repeated_command_answers_as_the_first_time_and_records_nothing()
    {
        await Request("RETRY-1");
        var first = await (await Step("RETRY-1", "shipped")).Json();
        var before = await app.EventCount();
        (await Request("RETRY-1")).StatusCode.ShouldBe(HttpStatusCode.Created);
        var again = await (await Step("RETRY-1", "shipped")).Json();
        again.GetProperty("charge").GetRawText().ShouldBe(first.GetProperty("charge").GetRawText());
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task rules_broken_by_the_loans_state_are_409_with_their_code()
    {
        await Request("RULE-1", maximumCost: 30m);
        (await (await Step("RULE-1", "returned")).ProblemCode()).ShouldBe("loan_must_be_shipped_to_return");
        (await (await Step("RULE-1", "received")).ProblemCode()).ShouldBe("loan_must_be_shipped_to_receive");
        (await (await Step("RULE-1", "lost", new { replacementCost = 100m })).ProblemCode()).ShouldBe("loan_must_be_shipped_and_not_returned_to_be_lost");
        (await (await Step("RULE-1", "refunds", new { refundId = "R1", amount = 1m, reason = "x" })).ProblemCode()).ShouldBe("charge_must_exist_to_refund");
        var tooDear = await Step("RULE-1", "shipped");
        tooDear.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await tooDear.ProblemCode()).ShouldBe("charge_must_not_exceed_maximum_cost");
        (await (await Step("RULE-1", "shipped", new { at = "2026-10-01T09:00:00+08:00", charge = 10m })).ProblemCode()).ShouldBe("time_must_not_precede_request");
        (await (await Request("RULE-1", lender: "SEU")).ProblemCode()).ShouldBe("loan_id_must_not_be_reused");
        (await (await Request("RULE-2", borrower: "NJU", lender: "NJU")).ProblemCode()).ShouldBe("borrower_and_lender_must_differ");
        var unknownMember = await Request("RULE-3", lender: "NOBODY");
        unknownMember.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknownMember.ProblemCode()).ShouldBe("member_must_exist");
    }

    [Fact]
    public async Task unfilled_and_cancelled_end_a_request_without_money()
    {
        await Request("END-1");
        var unfilled = await (await Step("END-1", "unfilled", new { reason = "not on shelf" })).Json();
        unfilled.GetProperty("status").GetString().ShouldBe("unfilled");
        (await (await Step("END-1", "cancelled")).ProblemCode()).ShouldBe("loan_must_be_requested_to_cancel");
        await Request("END-2");
        (await (await Step("END-2", "cancelled", new { reason = "no longer needed" })).Json()).GetProperty("status").GetString().ShouldBe("cancelled");
        (await (await Step("END-2", "unfilled", new { reason = "x" })).ProblemCode()).ShouldBe("loan_must_be_requested_to_mark_unfilled");
        (await (await Step("END-2", "unfilled", new { })).ProblemCode()).ShouldBe("request_invalid");
    }

    [Fact]
    public async Task a_lost_item_and_refunds_move_money_back_and_forth_and_still_net_to_zero()
    {
        var (xzmu, nju) = (await Balance("XZMU"), await Balance("NJU"));
        await Request("LOST-1");
        await Step("LOST-1", "shipped");
        (await Step("LOST-1", "lost", new { replacementCost = 350m, at = "2026-11-20T09:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refund = await Step("LOST-1", "refunds", new { refundId = "LR1", charge = "fee", amount = 40m, reason = "fee waived for lost item" });
        refund.StatusCode.ShouldBe(HttpStatusCode.OK);
        var loan = await refund.Json();
        loan.GetProperty("status").GetString().ShouldBe("lost");
        loan.Decimal("replacementCost").ShouldBe(350m);
        loan.GetProperty("refunds").GetArrayLength().ShouldBe(1);
        (await (await Step("LOST-1", "refunds", new { refundId = "LR2", charge = "fee", amount = 0.01m, reason = "x" })).ProblemCode())
            .ShouldBe("refund_must_not_exceed_remaining_charge");
        (await (await Step("LOST-1", "refunds", new { refundId = "LR1", charge = "fee", amount = 39m, reason = "x" })).ProblemCode())
            .ShouldBe("refund_id_must_not_be_reused");

        // Full fee refund takes back subsidy and reward: only the replacement cost remains between the two.
        (await Balance("XZMU")).ShouldBe(xzmu - 350m);
        (await Balance("NJU")).ShouldBe(nju + 350m);
        (await (await client.GetAsync($"{A}/balances")).Json()).Decimal("total").ShouldBe(0m);
    }

    [Fact]
    public async Task a_stale_if_match_is_412_and_a_current_one_is_honoured()
    {
        var created = await Request("ETAG-1");
        var etag = created.Headers.ETag!.Tag;
        var get = await client.GetAsync($"{A}/loans/ETAG-1");
        get.Headers.ETag!.Tag.ShouldBe(etag);

        using var stale = new HttpRequestMessage(HttpMethod.Post, $"{A}/loans/ETAG-1/shipped") { Content = JsonContent(new { }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        var staleResponse = await client.SendAsync(stale);
        staleResponse.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await staleResponse.ProblemCode()).ShouldBe("version_must_match");

        using var current = new HttpRequestMessage(HttpMethod.Post, $"{A}/loans/ETAG-1/shipped") { Content = JsonContent(new { }) };
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        (await client.SendAsync(current)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task an_unknown_loan_is_404()
    {
        var response = await client.GetAsync($"{A}/loans/NOPE");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemCode()).ShouldBe("loan_must_exist");
        (await (await Step("NOPE", "shipped")).ProblemCode()).ShouldBe("loan_must_exist");
    }

    [Theory]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","maximumCost":-1}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","maximumCost":1.001}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","maximumCost":1000000000000.01}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","maximumCost":1e400}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","maximumCost":"12"}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","feeFen":1}""")]
    [InlineData("""{"loanId":"B 1","borrower":"XZMU","lender":"NJU","title":"t"}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU"}""")]
    [InlineData("""{"loanId":"B1","borrower":"XZMU","lender":"NJU","title":"t","at":"yesterday"}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"loanId":""")]
    [InlineData("")]
    public async Task a_malformed_request_is_400_and_writes_nothing(string json)
    {
        var before = await app.EventCount();
        var response = await client.PostRaw($"{A}/loans", json);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemCode()).ShouldBeOneOf("request_invalid", "request_malformed");
        (await app.EventCount()).ShouldBe(before);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task commands_racing_on_one_stream_record_once_and_the_others_get_a_documented_conflict()
    {
        // Twelve different requests for one new loan id at once: one is recorded, the rest are told so.
        var requests = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => app.As(Roles.FinanceOfficer)
            .Post($"{A}/loans", new { loanId = "RACE-1", borrower = "XZMU", lender = "NJU", title = $"copy {i}", at = "2026-10-12T08:30:00+08:00" })));
        requests.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        foreach (var r in requests.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            r.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await r.ProblemCode()).ShouldBeOneOf("stream_changed_concurrently", "loan_id_must_not_be_reused");
        }
        // Twelve shipments of it at once with different charges: one ships it, the others conflict; a retry of the
        // winner's own command answers with the state recorded (idempotent).
        var ships = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => app.As(Roles.FinanceOfficer)
            .Post($"{A}/loans/RACE-1/shipped", new { charge = 30m + i, at = "2026-10-13T09:00:00+08:00" })));
        var winners = ships.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        winners.Count.ShouldBe(1);
        ships.Where(r => r.StatusCode != HttpStatusCode.OK).ShouldAllBe(r => r.StatusCode == HttpStatusCode.Conflict);
        var fee = (await winners[0].Json()).GetProperty("charge").Decimal("fee");
        (await client.Post($"{A}/loans/RACE-1/shipped", new { charge = fee, at = "2026-10-13T09:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await client.GetAsync($"{A}/loans/RACE-1")).Json()).GetProperty("version").GetInt64().ShouldBe(2);
    }
}
