using System.Net;
using System.Net.Http.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Security;

/// <summary>
/// Every role against every endpoint group: the expected status (and code) for each, checked in one pass so a
/// failure lists every cell that is wrong. Each cell works on a stream of its own, so cells do not depend on each other.
/// </summary>
public class AccessMatrixTests(LedgerApp<AccessMatrixTests> app, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<LedgerApp<AccessMatrixTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;
    private const string Other = "/api/alliances/OTH";

    // The callers of the matrix: an operator scoped to TST and NEWOP only, the alliance's roles, two members, the auditor.
    private static readonly string[] Callers = ["operator", "finance", "service", "nju", "seu", "auditor"];

    private HttpClient Client(string caller) => caller switch
    {
        "operator" => app.WithToken(app.Tokens.Issue(new TokenRequest("op", Roles.Operator, ["TST", "NEWOP"]))),
        "finance" => app.As(Roles.FinanceOfficer),
        "service" => app.As(Roles.Service),
        "nju" => app.As(Roles.Member, member: "NJU"),
        "seu" => app.As(Roles.Member, member: "SEU"),
        "xzmu" or "xzmu-outsider" => app.As(Roles.Member, member: "XZMU"),
        "auditor" => app.As(Roles.Auditor),
        "other-auditor" => app.As(Roles.Auditor, department: "OTHEREDU"),
        _ => throw new ArgumentException(caller),
    };

    private HttpClient Finance => Client("finance");

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        (await app.WithToken(app.Tokens.Issue(new TokenRequest("op", Roles.Operator, ["OTH"]))).Post("/api/alliances",
            new { code = "OTH", name = "Other", kind = "municipal", region = "Zhejiang", departmentCode = "OTHEREDU" })).EnsureSuccessStatusCode();
        // Streams each cell works on: a requested loan and delivery, a shipped loan, per caller and step.
        foreach (var c in Callers)
        {
            await Loan($"SHIP-{c}", ship: false);
            await Loan($"RECV-{c}", ship: true);
            await Loan($"LOST-{c}", ship: true);
            await Loan($"REF-{c}", ship: true);
            (await Finance.Post($"{A}/deliveries", new { deliveryId = $"DFUL-{c}", requester = "NJU", supplier = "SEU", title = "t", at = "2026-10-01T09:00:00+08:00" }))
                .EnsureSuccessStatusCode();
        }
        await Loan("SEEN", ship: true);
        // A joint purchase NJU and SEU take part in, a cost share of NJU's, a payment of SEU's, and January closed.
        (await Finance.Post($"{A}/joint-purchases", new { purchaseId = "JP", resource = "r", vendor = "V", licenceFrom = "2026-01-01", licenceTo = "2026-12-31", listPrice = 10m, split = new { method = "equal" } }))
            .EnsureSuccessStatusCode();
        foreach (var m in new[] { "NJU", "SEU" })
            (await Finance.Post($"{A}/joint-purchases/JP/participants", new { member = m })).EnsureSuccessStatusCode();
        (await Finance.Post($"{A}/cost-shares", new { costShareId = "CS", purpose = "p", amount = 10m, split = new { method = "equal" }, participants = new[] { new { member = "NJU" } }, payeeVendor = "SF" }))
            .EnsureSuccessStatusCode();
        (await Finance.Post($"{A}/payments", new { paymentId = "PAY-SEU", member = "SEU", direction = "member-to-centre", amount = 1m, paidOn = "2026-10-01", bankReference = "B" }))
            .EnsureSuccessStatusCode();
        (await Finance.Post($"{A}/periods/2026-01/close", new { })).EnsureSuccessStatusCode();
    }

    private async Task Loan(string id, bool ship)
    {
        (await Finance.Post($"{A}/loans", new { loanId = id, borrower = "NJU", lender = "SEU", title = "t", at = "2026-10-01T09:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        if (ship) (await Finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-10-02T09:00:00+08:00" })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private sealed record Cell(string Row, string Caller, HttpMethod Method, string Url, object? Body, int Status, string? Code);

    private static IEnumerable<Cell> Row(string row, HttpMethod method, Func<string, string> url, Func<string, object?> body,
        params (string Caller, int Status, string? Code)[] expected) =>
        expected.Select(e => new Cell(row, e.Caller, method, url(e.Caller), body(e.Caller), e.Status, e.Code));

    private const string Role = AccessCodes.RoleNotPermitted;
    private const string Scope = AccessCodes.AllianceOutOfScope;
    private const string MemberScope = AccessCodes.MemberOutOfScope;
    private const string Party = AccessCodes.PartyNotPermitted;

    private static IEnumerable<Cell> Matrix()
    {
        var post = HttpMethod.Post;
        var get = HttpMethod.Get;
        (string, int, string?) Ok(string c) => (c, 200, null);
        (string, int, string?) Created(string c) => (c, 201, null);
        (string, int, string?) No(string c, string code = Role) => (c, 403, code);
        (string, int, string?) Missing(string c, string code) => (c, 404, code);

        return new[]
        {
            Row("found alliance", post, _ => "/api/alliances", c => new { code = c == "operator" ? "NEWOP" : $"NEW{c.ToUpperInvariant()}", name = "n", kind = "municipal", region = "r", departmentCode = "D" },
                Created("operator"), No("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("found alliance outside scope", post, _ => "/api/alliances", _ => new { code = "ELSEWHERE", name = "n", kind = "municipal", region = "r", departmentCode = "D" },
                No("operator", Scope)),
            Row("admit member", post, _ => $"{A}/members", c => new { code = $"M-{c}", name = "n", fte = 1, regionGroup = "south", role = "member", joinedOn = "2026-01-01" },
                Ok("operator"), No("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("set fee policy", post, _ => $"{A}/fee-policies", _ => new { effectiveFrom = "2027-01-01", loanFee = 40m, deliveryBaseFee = 2m, perPageFee = 0.3m },
                Ok("operator"), No("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("read alliance", get, _ => A, _ => null,
                Ok("operator"), Ok("finance"), Ok("service"), Ok("nju"), Ok("seu"), Ok("auditor"), No("other-auditor", Scope)),
            Row("request loan as NJU", post, _ => $"{A}/loans", c => new { loanId = $"REQ-{c}", borrower = "NJU", lender = "SEU", title = "t", at = "2026-10-01T09:00:00+08:00" },
                No("operator"), Created("finance"), Created("service"), Created("nju"), No("seu", MemberScope), No("auditor")),
            Row("ship loan (lender's step)", post, c => $"{A}/loans/SHIP-{c}/shipped", _ => new { at = "2026-10-02T09:00:00+08:00" },
                No("operator"), Ok("finance"), Ok("service"), No("nju", Party), Ok("seu"), No("auditor")),
            Row("receive loan (borrower's step)", post, c => $"{A}/loans/RECV-{c}/received", _ => new { at = "2026-10-03T09:00:00+08:00" },
                No("operator"), Ok("finance"), Ok("service"), Ok("nju"), No("seu", Party), No("auditor")),
            Row("receive a loan the member takes no part in", post, _ => $"{A}/loans/RECV-operator/received", _ => new { at = "2026-10-03T09:00:00+08:00" },
                Missing("xzmu", "loan_must_exist")),
            Row("declare loan lost", post, c => $"{A}/loans/LOST-{c}/lost", _ => new { replacementCost = 300m, at = "2026-10-20T09:00:00+08:00" },
                No("operator"), Ok("finance"), Ok("service"), No("nju"), No("seu"), No("auditor")),
            Row("refund a loan charge", post, c => $"{A}/loans/REF-{c}/refunds", c => new { refundId = $"R-{c}", amount = 1m, reason = "r", at = "2026-10-20T09:00:00+08:00" },
                No("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("read a loan", get, _ => $"{A}/loans/SEEN", _ => null,
                No("operator"), Ok("finance"), Ok("service"), Ok("nju"), Ok("seu"), Ok("auditor"), Missing("xzmu", "loan_must_exist")),
            Row("request delivery as NJU", post, _ => $"{A}/deliveries", c => new { deliveryId = $"DREQ-{c}", requester = "NJU", supplier = "SEU", title = "t", at = "2026-10-01T09:00:00+08:00" },
                No("operator"), Created("finance"), Created("service"), Created("nju"), No("seu", MemberScope), No("auditor")),
            Row("fulfil delivery (supplier's step)", post, c => $"{A}/deliveries/DFUL-{c}/fulfilled", _ => new { pages = 10, at = "2026-10-02T09:00:00+08:00" },
                No("operator"), Ok("finance"), Ok("service"), No("nju", Party), Ok("seu"), No("auditor")),
            Row("read a delivery", get, _ => $"{A}/deliveries/DFUL-finance", _ => null,
                No("operator"), Ok("finance"), Ok("service"), Ok("nju"), Ok("seu"), Ok("auditor"), Missing("xzmu", "delivery_must_exist")),
            Row("NJU's balance", get, _ => $"{A}/members/NJU/balance", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), No("seu", MemberScope), Ok("auditor"), No("other-auditor", Scope)),
            Row("NJU's statement", get, _ => $"{A}/members/NJU/statement", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), No("seu", MemberScope), Ok("auditor")),
            Row("alliance balances", get, _ => $"{A}/balances", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("usage (a member's own by default)", get, _ => $"{A}/usage?from=2026-10&to=2026-10", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), Ok("seu"), Ok("auditor")),
            Row("usage of another member", get, _ => $"{A}/usage?from=2026-10&to=2026-10&member=SEU", _ => null,
                No("nju", MemberScope), Ok("seu")),
            // Another alliance, existing or not: the same 403, never a hint whether it exists.
            Row("read another alliance", get, _ => Other, _ => null,
                No("operator", Scope), No("finance", Scope), No("service", Scope), No("nju", Scope), No("auditor", Scope), Ok("other-auditor")),
            Row("read an alliance that does not exist", get, _ => "/api/alliances/NOPE", _ => null,
                No("operator", Scope), No("finance", Scope), No("nju", Scope), No("auditor", Scope), No("other-auditor", Scope)),
            Row("balance in another alliance", get, _ => $"{Other}/members/NJU/balance", _ => null,
                No("finance", Scope), No("nju", Scope), No("auditor", Scope)),
            Row("record a member's FTE", post, _ => $"{A}/members/NJU/fte", c => new { fte = 60_000 + c.Length, effectiveFrom = $"2026-0{c.Length % 9 + 1}-01" },
                Ok("operator"), No("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("propose a joint purchase", post, _ => $"{A}/joint-purchases", c => new { purchaseId = $"JP-{c}", resource = "r", vendor = "V", licenceFrom = "2026-01-01", licenceTo = "2026-12-31", listPrice = 1m, split = new { method = "equal" } },
                No("operator"), Created("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("join a joint purchase (the one proposed above)", post, _ => $"{A}/joint-purchases/JP-finance/participants", _ => new { member = "XZMU" },
                No("operator"), No("service"), No("nju"), No("seu"), No("auditor"), Ok("finance")),
            Row("read a joint purchase", get, _ => $"{A}/joint-purchases/JP", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), Ok("seu"), Ok("auditor"), Missing("xzmu-outsider", "purchase_must_exist")),
            Row("read a cost share", get, _ => $"{A}/cost-shares/CS", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), Missing("seu", "cost_share_must_exist"), Ok("auditor")),
            Row("record a payment", post, _ => $"{A}/payments", c => new { paymentId = $"PAY-{c}", member = "NJU", direction = "member-to-centre", amount = 1m, paidOn = "2026-10-01", bankReference = "B" },
                No("operator"), Created("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("read a payment", get, _ => $"{A}/payments/PAY-SEU", _ => null,
                No("operator"), Ok("finance"), No("service"), Missing("nju", "payment_must_exist"), Ok("seu"), Ok("auditor")),
            Row("list periods", get, _ => $"{A}/periods", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), Ok("auditor")),
            Row("preview a close (before the close below)", get, _ => $"{A}/periods/2026-02/preview", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), Ok("auditor")),
            Row("close a period", post, _ => $"{A}/periods/2026-02/close", _ => new { },
                No("operator"), No("service"), No("nju"), No("auditor"), Ok("finance")),
            Row("a closed period's settlement", get, _ => $"{A}/periods/2026-01/settlement", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("NJU's statement of a closed period", get, _ => $"{A}/periods/2026-01/statements/NJU", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), No("seu", MemberScope), Ok("auditor")),
            Row("approve a project", post, _ => $"{A}/projects", c => new { code = $"PRJ-{c}", name = "n", departmentCode = "JSEDU", phase = "p", startsOn = "2026-01-01", endsOn = "2026-12-31" },
                No("operator"), Created("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("read a sub-project", get, _ => $"{A}/subprojects/JALIS-IV-SUB", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor"), No("other-auditor", Scope)),
            Row("record an expenditure", post, _ => $"{A}/subprojects/JALIS-IV-SUB/expenditures", c => new { expenditureId = $"E-{c}", line = "operations", amount = 1m, spentOn = "2026-10-01", voucher = "V", description = "d" },
                No("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("the department's funding report", get, _ => "/api/departments/JSEDU/funding-report", _ => null,
                No("operator"), No("finance"), No("service"), No("nju"), No("seu"), Ok("auditor"), No("other-auditor", AccessCodes.DepartmentOutOfScope)),
            Row("the audit chain's head", get, _ => "/api/audit/digest", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("the head of every database's audit chain", get, _ => "/api/audit/digests", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("verify the audit chain", get, _ => "/api/audit/verification", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), Ok("auditor")),
            Row("the node's own verification of the audit chain", get, _ => "/api/audit/status", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("the audit checkpoints issued", get, _ => "/api/audit/checkpoints", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("issue an audit checkpoint", post, _ => "/api/audit/checkpoints", _ => null,
                Ok("operator"), Ok("finance"), No("service"), No("nju"), No("seu"), Ok("auditor")),
            Row("an event by sequence (the founding: no member's posting)", get, _ => $"{A}/events/1", _ => null,
                No("operator"), Ok("finance"), No("service"), Missing("nju", "event_must_exist"), Ok("auditor"), No("other-auditor", Scope)),
            Row("who am I", get, _ => "/api/me", _ => null,
                Ok("operator"), Ok("finance"), Ok("service"), Ok("nju"), Ok("auditor")),
            Row("list joint purchases", get, _ => $"{A}/joint-purchases", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), Ok("auditor")),
            Row("list cost shares", get, _ => $"{A}/cost-shares", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("seu"), Ok("auditor")),
            Row("open disputes", get, _ => $"{A}/disputes", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), Ok("auditor")),
            Row("NJU's unsettled postings", get, _ => $"{A}/members/NJU/unsettled", _ => null,
                No("operator"), Ok("finance"), No("service"), Ok("nju"), No("seu", MemberScope), Ok("auditor")),
            Row("the alliance's funding report", get, _ => $"{A}/funding-report", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), Ok("auditor"), No("other-auditor", Scope)),
            Row("a sub-project's movements", get, _ => $"{A}/subprojects/JALIS-IV-SUB/entries", _ => null,
                No("operator"), Ok("finance"), No("service"), No("nju"), Ok("auditor"), No("other-auditor", Scope)),
            Row("register an agency id", post, _ => $"{A}/members/SEU/agency-ids", c => new { type = "LOCAL", value = $"seu-{c}" },
                Ok("operator"), No("finance"), No("service"), No("nju"), No("seu"), No("auditor")),
            Row("resolve a charge dispute", post, _ => $"{A}/loans/SEEN/charge-dispute", _ => new { accept = true, reason = "r" },
                No("operator"), No("service"), No("nju"), No("seu"), No("auditor"), ("finance", 409, "charge_dispute_must_be_open")),
            Row("record in another alliance", post, _ => $"{Other}/loans", _ => new { loanId = "X", borrower = "NJU", lender = "SEU", title = "t" },
                No("finance", Scope), No("service", Scope), No("nju", Scope)),
        }.SelectMany(r => r);
    }

    [Fact]
    public async Task every_role_gets_exactly_the_access_its_scope_gives_at_every_endpoint_group()
    {
        var cells = Matrix().ToList();
        var wrong = new List<string>();
        foreach (var cell in cells)
        {
            var request = new HttpRequestMessage(cell.Method, cell.Url);
            if (cell.Body is not null) request.Content = JsonContent.Create(cell.Body);
            var response = await Client(cell.Caller).SendAsync(request);
            var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? await response.ProblemCode() : null;
            if ((int)response.StatusCode != cell.Status || (cell.Code is not null && code != cell.Code))
                wrong.Add($"{cell.Row} as {cell.Caller}: expected {cell.Status} {cell.Code}, got {(int)response.StatusCode} {code}");
        }
        output.WriteLine($"{cells.Count} cells");
        wrong.ShouldBeEmpty(string.Join(Environment.NewLine, wrong));
        cells.Count.ShouldBeGreaterThan(150);
    }

    [Fact]
    public async Task out_of_scope_answers_do_not_reveal_whether_the_alliance_exists()
    {
        var nju = Client("nju");
        var existing = await (await nju.GetAsync($"{Other}/members/NJU/balance")).Json();
        var missing = await (await nju.GetAsync("/api/alliances/NOPE/members/NJU/balance")).Json();
        existing.GetProperty("code").GetString().ShouldBe(missing.GetProperty("code").GetString());
        existing.GetProperty("detail").GetString()!.Replace("OTH", "NOPE").ShouldBe(missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task a_member_never_changes_the_store_through_a_refused_command()
    {
        var before = await app.EventCount();
        (await Client("seu").Post($"{A}/loans/RECV-seu/returned", new { at = "2026-10-30T09:00:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Client("nju").Post($"{A}/loans/LOST-nju/lost", new { replacementCost = 1m })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Client("auditor").Post($"{A}/loans", new { loanId = "AUD", borrower = "NJU", lender = "SEU", title = "t" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.EventCount()).ShouldBe(before);
    }
}
