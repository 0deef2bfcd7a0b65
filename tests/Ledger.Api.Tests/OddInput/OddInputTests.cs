using System.Net;
using System.Text;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.OddInput;

/// <summary>
/// Input a careless user, a sloppy peer system or an attacker sends: each is refused with a stable code and records
/// nothing, or is taken exactly as a finance officer would expect. Each test names the point of the review it covers.
/// </summary>
public class OddInputTests(LedgerApp<OddInputTests> app) : IClassFixture<LedgerApp<OddInputTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        foreach (var member in new[] { "NJU", "XZMU" })
            (await app.As(Roles.Operator).PostRaw($"{A}/members/{member}/agency-ids", $$"""{"type":"ISIL","value":"CN-{{member}}"}""")).EnsureSuccessStatusCode();
    }

    private static readonly System.Xml.Linq.XNamespace Ill = "http://illtransactions.org/2013/iso18626";

    private async Task<System.Xml.Linq.XElement> Iso(string xml)
    {
        var response = await Finance.PostAsync($"{A}/iso18626", new StringContent(xml, Encoding.UTF8, "application/xml"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Elements().Single();
    }

    private static string Status(System.Xml.Linq.XElement confirmation) => confirmation.Descendants(Ill + "messageStatus").Single().Value;

    [Fact] // 2: 10 USD was charged as 10 CNY
    public async Task an_iso_cost_in_another_currency_is_refused_naming_the_element()
    {
        var before = await app.EventCount();
        var usd = await Iso(Iso18626.Iso18626Tests.Request("ISO-USD", "Loan", 10m).Replace("<ill:currencyCode>CNY</ill:currencyCode>", "<ill:currencyCode>USD</ill:currencyCode>"));
        Status(usd).ShouldBe("ERROR");
        usd.Descendants(Ill + "errorValue").Single().Value.ShouldContain("billingInfo/maximumCosts/currencyCode");
        (await app.EventCount()).ShouldBe(before);
        Status(await Iso(Iso18626.Iso18626Tests.Request("ISO-CNY", "Loan", 10m))).ShouldBe("OK");
    }

    [Fact] // 4 (ISO): the header timestamp is the business date
    public async Task an_iso_header_timestamp_ahead_of_the_clock_is_refused()
    {
        var before = await app.EventCount();
        var future = await Iso(Iso18626.Iso18626Tests.Request("ISO-FUT", "Loan", 30m).Replace("2026-10-12T08:30:00+08:00", "2099-10-12T08:30:00+08:00"));
        Status(future).ShouldBe("ERROR");
        future.Descendants(Ill + "errorValue").Single().Value.ShouldContain("header/timestamp");
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact] // 22: errorData came before reasonForMessage / action
    public async Task an_error_confirmation_keeps_the_schema_order()
    {
        var confirmation = await Iso(Iso18626.Iso18626Tests.Supplying("ISO-NONE", "Loaned", 10m));
        Status(confirmation).ShouldBe("ERROR");
        confirmation.Elements().Select(e => e.Name.LocalName).ShouldBe(["confirmationHeader", "reasonForMessage", "errorData"]);
        var requesting = await Iso(Iso18626.Iso18626Tests.Requesting("ISO-NONE", "Received"));
        requesting.Elements().Select(e => e.Name.LocalName).ShouldBe(["confirmationHeader", "action", "errorData"]);
    }

    [Fact] // 23: a refused cancel records nothing, so it is answered OK
    public async Task a_refused_cancel_without_status_is_answered_ok()
    {
        Status(await Iso(Iso18626.Iso18626Tests.Request("ISO-CAN", "Loan", 30m))).ShouldBe("OK");
        var before = await app.EventCount();
        var refusal = Iso18626.Iso18626Tests.Supplying("ISO-CAN", "Loaned")
            .Replace("<ill:reasonForMessage>StatusChange</ill:reasonForMessage>", "<ill:reasonForMessage>CancelResponse</ill:reasonForMessage><ill:answerYesNo>N</ill:answerYesNo>");
        refusal = System.Text.RegularExpressions.Regex.Replace(refusal, "<ill:statusInfo>.*?</ill:statusInfo>", "");
        Status(await Iso(refusal)).ShouldBe("OK");
        (await app.EventCount()).ShouldBe(before);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private HttpClient Finance => app.As(Roles.FinanceOfficer);

    /// <summary>The answer is problem+json with this status and code, the store is as it was; gives the problem's detail.</summary>
    private async Task<string> Refused(HttpResponseMessage response, HttpStatusCode status, string code, long eventsBefore)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        problem.GetProperty("code").GetString().ShouldBe(code, body);
        (await app.EventCount()).ShouldBe(eventsBefore, "a refused request records nothing");
        return problem.GetProperty("detail").GetString()!;
    }

    [Theory] // 1: `$` matched before a final line feed; the payment was posted, then the answer said 500
    [InlineData("NLP-1\n")]
    [InlineData("NLP-1\r\n")]
    [InlineData("NLP-1\u2028")]
    public async Task an_id_with_a_trailing_line_break_is_refused_and_posts_nothing(string id)
    {
        var before = await app.EventCount();
        var response = await Finance.Post($"{A}/payments", new
        {
            paymentId = id,
            member = "NJU",
            direction = "member-to-centre",
            amount = 5m,
            paidOn = "2026-10-20",
            bankReference = "BOC-1",
        });
        await Refused(response, HttpStatusCode.BadRequest, "request_invalid", before);
        (await Finance.PostRaw($"{A}/loans", $$"""{"loanId":"L-1\n","borrower":"XZMU","lender":"NJU","title":"t","at":"2026-10-12T08:30:00+08:00"}"""))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.EventCount()).ShouldBe(before);
    }

    [Theory] // 5: 1e-400 was taken as 0; every notation but plain decimals is refused
    [InlineData("1e-400")]
    [InlineData("4.5E1")]
    [InlineData("1e3")]
    [InlineData("0.001")]
    public async Task an_amount_in_exponent_notation_or_with_three_decimals_is_refused(string amount)
    {
        var before = await app.EventCount();
        var response = await app.As(Roles.Operator).PostRaw($"{A}/fee-policies",
            $$"""{"effectiveFrom":"2027-01-01","loanFee":{{amount}},"deliveryBaseFee":2,"perPageFee":0.3}""");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemCode()).ShouldBeOneOf("request_malformed", "request_invalid");
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact] // 4: a charge dated 2099 would sit outside every balance and period
    public async Task a_time_ahead_of_the_server_clock_is_refused_and_one_a_minute_ahead_is_taken()
    {
        var before = await app.EventCount();
        var far = await Finance.PostRaw($"{A}/loans", """{"loanId":"FUT-1","borrower":"XZMU","lender":"NJU","title":"t","at":"2099-12-31T00:00:00+08:00"}""");
        await Refused(far, HttpStatusCode.BadRequest, "time_must_not_be_in_the_future", before);
        var iso = await Finance.PostAsync($"{A}/iso18626", new StringContent(
            Iso18626.Iso18626Tests.Request("FUT-2", "Loan", 30m).Replace(app.Now.Year + "-", "2099-"), Encoding.UTF8, "application/xml"));
        (await iso.Content.ReadAsStringAsync()).ShouldContain("ERROR");
        (await app.EventCount()).ShouldBe(before);

        var soon = app.Now.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        (await Finance.PostRaw($"{A}/loans", $$"""{"loanId":"FUT-3","borrower":"XZMU","lender":"NJU","title":"t","at":"{{soon}}"}""")).StatusCode
            .ShouldBe(HttpStatusCode.Created);
    }

    [Theory] // 28: a time without offset would be read in the server's time zone
    [InlineData("2024-03-05T09:30:00")]
    [InlineData("2024-03-05")]
    [InlineData("0001-01-01T00:00:00+08:00")]
    public async Task a_time_without_its_offset_or_before_1900_is_refused(string at)
    {
        var before = await app.EventCount();
        var response = await Finance.PostRaw($"{A}/loans", $$"""{"loanId":"NOOFF","borrower":"XZMU","lender":"NJU","title":"t","at":"{{at}}"}""");
        (await Refused(response, HttpStatusCode.BadRequest, "request_malformed", before)).ShouldContain("offset");
    }

    [Theory] // 9: PostgreSQL stores no NUL; control characters and lone surrogates are refused everywhere
    [InlineData("\\u0000")]
    [InlineData("\\u0007")]
    [InlineData("\\ud800")]
    public async Task control_characters_in_text_are_refused(string escaped)
    {
        var before = await app.EventCount();
        var response = await Finance.PostRaw($"{A}/loans", $$"""{"loanId":"CTRL","borrower":"XZMU","lender":"NJU","title":"Harrison{{escaped}}","at":"2026-10-12T08:30:00+08:00"}""");
        (await Refused(response, HttpStatusCode.BadRequest, "request_malformed", before)).ShouldContain("$.title");
    }

    [Theory] // 10: far dates overflowed the end-of-day and period arithmetic
    [InlineData("/members/NJU/balance?asOf=9999-12-31")]
    [InlineData("/members/NJU/statement?from=0001-01-01&to=9999-12-31")]
    [InlineData("/balances?asOf=9999-12-31")]
    public async Task dates_outside_1900_to_2999_are_refused_on_reads(string url)
    {
        var response = await Finance.GetAsync(A + url);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemCode()).ShouldBe("date_out_of_range");
    }

    [Fact] // 10
    public async Task a_period_in_year_9999_is_no_period()
    {
        var response = await Finance.GetAsync($"{A}/periods/9999-12/preview");
        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        (await response.ProblemCode()).ShouldNotBe("internal_error");
    }

    [Fact] // 3: the money would sit on an account no statement covers
    public async Task a_cost_share_payee_outside_the_alliance_is_refused()
    {
        var before = await app.EventCount();
        var response = await Finance.PostRaw($"{A}/cost-shares",
            """{"costShareId":"CS-U01","purpose":"courier","amount":90,"split":{"method":"equal"},"participants":[{"member":"NJU"},{"member":"SEU"}],"payeeMember":"U01","at":"2026-10-02T09:00:00+08:00"}""");
        await Refused(response, HttpStatusCode.NotFound, "member_must_exist", before);
    }

    [Fact] // 6: refused only at allocation, after which the cost share could never be corrected
    public async Task fixed_percentages_summing_to_99_99_are_refused_when_declared()
    {
        var before = await app.EventCount();
        var costShare = await Finance.PostRaw($"{A}/cost-shares",
            """{"costShareId":"CS-FIX","purpose":"courier","amount":90,"split":{"method":"fixed","fixed":[{"member":"NJU","percent":50},{"member":"SEU","percent":49.99}]},"participants":[{"member":"NJU"},{"member":"SEU"}],"payeeVendor":"SF","at":"2026-10-02T09:00:00+08:00"}""");
        await Refused(costShare, HttpStatusCode.Conflict, "fixed_shares_must_cover_every_participant_and_sum_to_100_percent", before);
        var purchase = await Finance.PostRaw($"{A}/joint-purchases",
            """{"purchaseId":"P-FIX","resource":"r","vendor":"CNKI","licenceFrom":"2026-01-01","licenceTo":"2026-12-31","listPrice":100,"split":{"method":"fixed","fixed":[{"member":"NJU","percent":99.99}]},"at":"2026-10-02T09:00:00+08:00"}""");
        await Refused(purchase, HttpStatusCode.Conflict, "fixed_shares_must_cover_every_participant_and_sum_to_100_percent", before);
    }

    [Fact] // 7: the documented budgetLine was refused
    public async Task a_fee_policy_books_its_subsidies_on_the_budget_line_it_names()
    {
        var operatorClient = app.As(Roles.Operator);
        (await Finance.Post($"{A}/subprojects", new
        {
            code = "BL-SUB",
            projectCode = "JALIS-IV",
            title = "Courier subsidies",
            undertakingMember = "SEU",
            budget = new[] { new { line = "courier", amount = 1000m } },
        })).EnsureSuccessStatusCode();
        (await Finance.Post($"{A}/subprojects/BL-SUB/allocations", new { allocationId = "BL-A", fiscalYear = 2026, amount = 1000m, allocatedOn = "2026-01-05" }))
            .EnsureSuccessStatusCode();
        var policy = await operatorClient.PostRaw($"{A}/fee-policies",
            """{"effectiveFrom":"2026-03-01","loanFee":40,"deliveryBaseFee":2,"perPageFee":0.3,"supplierReward":5,"subsidies":[{"regionGroup":"north","ratePercent":50,"cap":100}],"fundingReference":"BL-SUB","budgetLine":"courier"}""");
        policy.StatusCode.ShouldBe(HttpStatusCode.OK, await policy.Content.ReadAsStringAsync());
        (await Finance.PostRaw($"{A}/loans", """{"loanId":"BL-L1","borrower":"XZMU","lender":"NJU","title":"t","at":"2026-03-10T09:00:00+08:00"}""")).EnsureSuccessStatusCode();
        (await Finance.PostRaw($"{A}/loans/BL-L1/shipped", """{"at":"2026-03-11T09:00:00+08:00"}""")).EnsureSuccessStatusCode();
        (await operatorClient.PostRaw($"{A}/fee-policies",
            """{"effectiveFrom":"2026-04-01","loanFee":40,"deliveryBaseFee":2,"perPageFee":0.3,"supplierReward":5,"subsidies":[{"regionGroup":"north","ratePercent":50,"cap":100}],"fundingReference":"JALIS-IV-SUB"}""")).EnsureSuccessStatusCode();

        var report = await (await app.As(Roles.Auditor, department: TestAlliance.Department).GetAsync($"{A}/funding-report")).Json();
        var text = report.ToString();
        var sub = FindSubProject(report, "BL-SUB");
        var courier = sub.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("line").GetString() == "courier");
        courier.GetProperty("spent").GetDecimal().ShouldBe(25m, text); // 50 % of 40 (20.00) and the reward (5.00)
    }

    private static System.Text.Json.JsonElement FindSubProject(System.Text.Json.JsonElement report, string code)
    {
        foreach (var project in report.GetProperty("projects").EnumerateArray())
            foreach (var sub in project.GetProperty("subProjects").EnumerateArray())
                if (sub.GetProperty("subProject").GetString() == code) return sub;
        throw new InvalidOperationException($"{code} is not in the report: {report}");
    }

    [Fact] // 14: deliveries have no replacement charge
    public async Task a_delivery_refund_that_names_a_charge_is_refused()
    {
        (await Finance.PostRaw($"{A}/deliveries", """{"deliveryId":"D-REF","requester":"XZMU","supplier":"SEU","title":"t","at":"2026-10-03T09:00:00+08:00"}""")).EnsureSuccessStatusCode();
        (await Finance.PostRaw($"{A}/deliveries/D-REF/fulfilled", """{"pages":10,"at":"2026-10-03T15:00:00+08:00"}""")).EnsureSuccessStatusCode();
        var before = await app.EventCount();
        var response = await Finance.PostRaw($"{A}/deliveries/D-REF/refunds", """{"refundId":"R1","charge":"replacement","amount":1,"reason":"late"}""");
        await Refused(response, HttpStatusCode.BadRequest, "request_malformed", before);
        (await Finance.PostRaw($"{A}/deliveries/D-REF/refunds", """{"refundId":"R1","amount":1,"reason":"late"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact] // 13: a repeat of a step the loan has passed answers with its state
    public async Task a_repeated_received_after_lost_answers_with_the_current_state()
    {
        foreach (var (url, body) in new[]
                 {
                     ("loans", """{"loanId":"REP-1","borrower":"XZMU","lender":"NJU","title":"t","at":"2026-10-12T08:30:00+08:00"}"""),
                     ("loans/REP-1/shipped", """{"at":"2026-10-13T09:00:00+08:00"}"""),
                     ("loans/REP-1/received", """{"at":"2026-10-14T09:00:00+08:00"}"""),
                     ("loans/REP-1/lost", """{"replacementCost":300,"at":"2026-10-20T09:00:00+08:00"}"""),
                 })
            (await Finance.PostRaw($"{A}/{url}", body)).EnsureSuccessStatusCode();
        var before = await app.EventCount();
        var repeat = await Finance.PostRaw($"{A}/loans/REP-1/received", """{"at":"2026-10-14T09:00:00+08:00"}""");
        repeat.StatusCode.ShouldBe(HttpStatusCode.OK, await repeat.Content.ReadAsStringAsync());
        (await repeat.Json()).GetProperty("status").GetString().ShouldBe("lost");
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact] // 16: authorization before the media type
    public async Task an_auditor_posting_json_to_the_iso_endpoint_is_told_403()
    {
        var response = await app.As(Roles.Auditor, department: TestAlliance.Department).PostRaw($"{A}/iso18626", "{}");
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var wrongType = await Finance.PostRaw($"{A}/iso18626", "{}");
        (await Refused(wrongType, HttpStatusCode.UnsupportedMediaType, "media_type_unsupported", await app.EventCount())).ShouldContain("application/xml");
    }

    [Fact] // 11: a chunk size beyond 64 bits
    public async Task a_chunk_size_beyond_64_bits_is_a_400()
    {
        var content = new RawChunks("ffffffffffffffff\r\nabc\r\n0\r\n\r\n");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await Finance.PostAsync($"{A}/loans", content);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemCode()).ShouldBe("request_malformed");
    }

    /// <summary>A body the client sends chunked, whose chunk framing is written as given.</summary>
    private sealed class RawChunks(string framing) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.ASCII.GetBytes(framing)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
