using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ledger.Api.Tests.Security;

/// <summary>
/// Throws generated malformed bodies at every write endpoint, each aimed at a stream where the well-formed body would
/// record events: none may yield a 500 or a 2xx, and the event store must be unchanged afterwards. Every generated body
/// is wrong in at least one way (wrong JSON, wrong type, out of range, missing, repeated or unknown field, too big), so
/// any body the API accepted would be a bug; at the end each well-formed template is sent once and must be accepted.
/// </summary>
public class MalformedBodyTests(LedgerApp<MalformedBodyTests> app, ITestOutputHelper output) : MalformedBodyTestsCases(app, output), IClassFixture<LedgerApp<MalformedBodyTests>>;

/// <summary>The same tests on a host whose clock is five years ahead: none of them depends on the day the suite runs.</summary>
public class MalformedBodyTestsFiveYearsOn(LaterDayApp<MalformedBodyTestsFiveYearsOn> app, ITestOutputHelper output) : MalformedBodyTestsCases(app, output), IClassFixture<LaterDayApp<MalformedBodyTestsFiveYearsOn>>;

public abstract class MalformedBodyTestsCases(LedgerApp app, ITestOutputHelper output) : IAsyncLifetime
{
    private const string A = TestAlliance.A;

    private enum Kind { Code, Text, Amount, Count, Bool, Date, Instant, Enum, Subsidies, Currency, TimeZone, Split, Metric, Participants, Budget, Score }

    private sealed record Field(string Name, Kind Kind, bool Required, int Max = 0, long Min = 0);

    private sealed record Spec(string Url, bool Operator, string Template, params Field[] Fields)
    {
        public bool BodyRequired => Fields.Any(f => f.Required);
    }

    private static Field Req(string name, Kind kind, int max = 0, long min = 0) => new(name, kind, true, max, min);

    private static Field Opt(string name, Kind kind, int max = 0) => new(name, kind, false, max);

    private static readonly Field At = Opt("at", Kind.Instant);

    private static readonly Spec[] Specs =
    [
        new("/api/alliances", true, """{"code":"NEWA","name":"New","kind":"municipal","region":"Zhejiang","departmentCode":"ZJEDU","currency":"CNY","timeZone":"Asia/Shanghai","foundedAt":"2026-01-01T09:00:00+08:00"}""",
            Req("code", Kind.Code), Req("name", Kind.Text, 200), Req("kind", Kind.Enum), Req("region", Kind.Text, 100), Req("departmentCode", Kind.Code),
            Opt("currency", Kind.Currency), Opt("timeZone", Kind.TimeZone), Opt("foundedAt", Kind.Instant)),
        new($"{A}/members", true, """{"code":"NEWM","name":"New Library","fte":100,"regionGroup":"south","role":"member","joinedOn":"2026-02-01"}""",
            Req("code", Kind.Code), Req("name", Kind.Text, 200), Req("fte", Kind.Count, 10_000_000), Req("regionGroup", Kind.Code), Req("role", Kind.Enum), Req("joinedOn", Kind.Date)),
        // The member admitted just above leaves, not one the later samples use: those without an `at` are decided on the
        // host's clock, whatever day the suite runs.
        new($"{A}/members/NEWM/leave", true, """{"leftOn":"2026-12-01"}""", Req("leftOn", Kind.Date)),
        new($"{A}/fee-policies", true, """{"effectiveFrom":"2027-01-01","loanFee":45,"deliveryBaseFee":2,"perPageFee":0.3,"rushSurcharge":10,"supplierReward":5,"subsidies":[{"regionGroup":"north","ratePercent":50,"cap":100}],"fundingReference":"JALIS-IV-SUB"}""",
            Req("effectiveFrom", Kind.Date), Req("loanFee", Kind.Amount), Req("deliveryBaseFee", Kind.Amount), Req("perPageFee", Kind.Amount),
            Opt("rushSurcharge", Kind.Amount), Opt("supplierReward", Kind.Amount), Opt("subsidies", Kind.Subsidies), Opt("fundingReference", Kind.Code)),
        new($"{A}/loans", false, """{"loanId":"NEWL","borrower":"XZMU","lender":"NJU","title":"Harrison's","maximumCost":60,"at":"2026-10-12T08:30:00+08:00"}""",
            Req("loanId", Kind.Code), Req("borrower", Kind.Code), Req("lender", Kind.Code), Req("title", Kind.Text, 500), Opt("maximumCost", Kind.Amount), At),
        new($"{A}/loans/SHIP/shipped", false, """{"charge":40,"at":"2026-10-13T09:00:00+08:00"}""", Opt("charge", Kind.Amount), At),
        new($"{A}/loans/RECV/received", false, """{"at":"2026-10-14T09:00:00+08:00"}""", At),
        new($"{A}/loans/RET/returned", false, """{"at":"2026-10-20T09:00:00+08:00"}""", At),
        new($"{A}/loans/UNF/unfilled", false, """{"reason":"not held","at":"2026-10-13T09:00:00+08:00"}""", Req("reason", Kind.Text, 500), At),
        new($"{A}/loans/CAN/cancelled", false, """{"reason":"no longer needed","at":"2026-10-13T09:00:00+08:00"}""", Opt("reason", Kind.Text, 500), At),
        new($"{A}/loans/LOST/lost", false, """{"replacementCost":300,"at":"2026-10-20T09:00:00+08:00"}""", Req("replacementCost", Kind.Amount), At),
        new($"{A}/loans/REF/refunds", false, """{"refundId":"R1","charge":"fee","amount":1.5,"reason":"late","at":"2026-10-20T09:00:00+08:00"}""",
            Req("refundId", Kind.Code), Opt("charge", Kind.Enum), Req("amount", Kind.Amount), Req("reason", Kind.Text, 500), At),
        new($"{A}/deliveries", false, """{"deliveryId":"NEWD","requester":"XZMU","supplier":"SEU","title":"CMJ","rush":true,"maximumCost":20,"at":"2026-10-03T09:00:00+08:00"}""",
            Req("deliveryId", Kind.Code), Req("requester", Kind.Code), Req("supplier", Kind.Code), Req("title", Kind.Text, 500), Opt("rush", Kind.Bool), Opt("maximumCost", Kind.Amount), At),
        new($"{A}/deliveries/DFUL/fulfilled", false, """{"pages":12,"at":"2026-10-03T15:00:00+08:00"}""", Req("pages", Kind.Count, 100_000), Opt("charge", Kind.Amount), At),
        new($"{A}/deliveries/DUNF/unfilled", false, """{"reason":"not held","at":"2026-10-03T15:00:00+08:00"}""", Req("reason", Kind.Text, 500), At),
        new($"{A}/deliveries/DCAN/cancelled", false, """{"reason":"duplicate","at":"2026-10-03T15:00:00+08:00"}""", Opt("reason", Kind.Text, 500), At),
        new($"{A}/deliveries/DREF/refunds", false, """{"refundId":"R1","amount":1,"reason":"illegible","at":"2026-10-05T09:00:00+08:00"}""",
            Req("refundId", Kind.Code), Req("amount", Kind.Amount), Req("reason", Kind.Text, 500), At),
        new($"{A}/members/NJU/fte", true, """{"fte":61000,"effectiveFrom":"2026-06-01"}""", Req("fte", Kind.Count, 10_000_000), Req("effectiveFrom", Kind.Date)),
        new($"{A}/joint-purchases", false, """{"purchaseId":"NEWP","resource":"Databases","vendor":"CNKI","licenceFrom":"2026-01-01","licenceTo":"2026-12-31","listPrice":100,"split":{"method":"mixed","basePercent":20,"restBy":"fte"},"metric":"Unique_Item_Requests","at":"2026-10-02T09:00:00+08:00"}""",
            Req("purchaseId", Kind.Code), Req("resource", Kind.Text, 200), Req("vendor", Kind.Code), Req("licenceFrom", Kind.Date), Req("licenceTo", Kind.Date),
            Req("listPrice", Kind.Amount), Req("split", Kind.Split), Opt("metric", Kind.Metric), At),
        new($"{A}/joint-purchases/P1/participants", false, """{"member":"NJU","at":"2026-10-03T09:00:00+08:00"}""", Req("member", Kind.Code), At),
        new($"{A}/joint-purchases/P1/withdrawals", false, """{"member":"SEU","reason":"budget","at":"2026-10-03T09:00:00+08:00"}""", Req("member", Kind.Code), Req("reason", Kind.Text, 500), At),
        new($"{A}/joint-purchases/P1/invoice", false, """{"invoiceNumber":"I-1","amount":100,"invoiceDate":"2026-10-10"}""", Req("invoiceNumber", Kind.Code), Req("amount", Kind.Amount), Req("invoiceDate", Kind.Date), At),
        new($"{A}/joint-purchases/P2/allocation", false, """{"at":"2026-10-12T09:00:00+08:00"}""", At),
        new($"{A}/joint-purchases/P2/vendor-payments", false, """{"paymentId":"VP-1","amount":10,"paidOn":"2026-10-20","bankReference":"ICBC-1"}""",
            Req("paymentId", Kind.Code), Req("amount", Kind.Amount), Req("paidOn", Kind.Date), Req("bankReference", Kind.Text, 100), At),
        new($"{A}/joint-purchases/P3/cover", false, """{"fundingReference":"JALIS-IV-SUB","amount":10}""", Req("fundingReference", Kind.Code), Req("amount", Kind.Amount), At),
        new($"{A}/cost-shares", false, """{"costShareId":"NEWCS","purpose":"courier","amount":90,"split":{"method":"equal"},"participants":[{"member":"NJU"},{"member":"SEU"}],"payeeVendor":"SF"}""",
            Req("costShareId", Kind.Code), Req("purpose", Kind.Text, 200), Req("amount", Kind.Amount), Req("split", Kind.Split), Req("participants", Kind.Participants), Opt("payeeVendor", Kind.Code), At),
        new($"{A}/cost-shares/CS1/allocation", false, """{"at":"2026-10-12T09:00:00+08:00"}""", At),
        new($"{A}/cost-shares/CS2/corrections", false, """{"amount":120,"participants":[{"member":"NJU"}],"reason":"second page"}""",
            Req("amount", Kind.Amount), Req("participants", Kind.Participants), Req("reason", Kind.Text, 500), At),
        new($"{A}/cost-shares/CS3/reversal", false, """{"reason":"charged twice"}""", Req("reason", Kind.Text, 500), At),
        new($"{A}/payments", false, """{"paymentId":"PAY-1","member":"NJU","direction":"member-to-centre","amount":5,"paidOn":"2026-10-20","bankReference":"BOC-1"}""",
            Req("paymentId", Kind.Code), Req("member", Kind.Code), Req("direction", Kind.Enum), Req("amount", Kind.Amount), Req("paidOn", Kind.Date), Req("bankReference", Kind.Text, 100), At),
        new($"{A}/periods/frequency", false, """{"frequency":"monthly"}""", Req("frequency", Kind.Enum), At),
        new($"{A}/periods/2026-01/close", false, "{}"),
        new($"{A}/members/SEU/agency-ids", true, """{"type":"ISIL","value":"CN-SEU"}""", Req("type", Kind.Code), Req("value", Kind.Text, 100)),
        new($"{A}/loans/DISP/charge-dispute", false, """{"accept":true,"reason":"agreed"}""", Req("accept", Kind.Bool), Req("reason", Kind.Text, 500), At),
        new($"{A}/projects", false, """{"code":"NEWPRJ","name":"New project","departmentCode":"JSEDU","phase":"phase V","startsOn":"2026-01-01","endsOn":"2026-12-31"}""",
            Req("code", Kind.Code), Req("name", Kind.Text, 200), Req("departmentCode", Kind.Code), Req("phase", Kind.Text, 100), Req("startsOn", Kind.Date), Req("endsOn", Kind.Date), At),
        new($"{A}/projects/PRJ2/close", false, """{"closedOn":"2026-12-31","remarks":"done"}""", Req("closedOn", Kind.Date), Req("remarks", Kind.Text, 500), At),
        new($"{A}/subprojects", false, """{"code":"NEWSUB","projectCode":"JALIS-IV","title":"Scanners","undertakingMember":"NJU","budget":[{"line":"equipment","amount":100}]}""",
            Req("code", Kind.Code), Req("projectCode", Kind.Code), Req("title", Kind.Text, 200), Req("undertakingMember", Kind.Code), Req("budget", Kind.Budget), At),
        new($"{A}/subprojects/JALIS-IV-SUB/allocations", false, """{"allocationId":"A-NEW","fiscalYear":2026,"amount":10,"allocatedOn":"2026-02-01"}""",
            Req("allocationId", Kind.Code), Req("fiscalYear", Kind.Count, 2100), Req("amount", Kind.Amount), Req("allocatedOn", Kind.Date), At),
        new($"{A}/subprojects/JALIS-IV-SUB/returns", false, """{"returnId":"R-NEW","amount":1,"returnedOn":"2026-02-01","reason":"unused"}""",
            Req("returnId", Kind.Code), Req("amount", Kind.Amount), Req("returnedOn", Kind.Date), Req("reason", Kind.Text, 500), At),
        new($"{A}/subprojects/JALIS-IV-SUB/expenditures", false, """{"expenditureId":"E-NEW","line":"operations","amount":1,"spentOn":"2026-02-01","voucher":"V-1","description":"toner"}""",
            Req("expenditureId", Kind.Code), Req("line", Kind.Code), Req("amount", Kind.Amount), Req("spentOn", Kind.Date), Req("voucher", Kind.Text, 100), Req("description", Kind.Text, 500), At),
        new($"{A}/subprojects/JALIS-IV-SUB/expenditures/E1/reversal", false, """{"reason":"booked twice","reversedOn":"2026-02-02"}""",
            Req("reason", Kind.Text, 500), Req("reversedOn", Kind.Date), At),
        new($"{A}/subprojects/SUB2/acceptance", false, """{"acceptedOn":"2026-12-01","grade":"excellent","score":95,"remarks":"fine"}""",
            Req("acceptedOn", Kind.Date), Req("grade", Kind.Text, 50), Opt("score", Kind.Score), Req("remarks", Kind.Text, 2000), At),
        new($"{A}/subprojects/JALIS-IV-SUB/moves", false, """{"moveId":"M-NEW","toSubProject":"SUB3","amount":1,"movedOn":"2026-02-01","reason":"rebalance"}""",
            Req("moveId", Kind.Code), Req("toSubProject", Kind.Code), Req("amount", Kind.Amount), Req("movedOn", Kind.Date), Req("reason", Kind.Text, 500), At),
    ];

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        var finance = app.As(Roles.FinanceOfficer);
        async Task Ok(string url, string json) => (await finance.PostRaw(url, json)).EnsureSuccessStatusCode();
        foreach (var id in new[] { "SHIP", "RECV", "RET", "UNF", "CAN", "LOST", "REF" })
            await Ok($"{A}/loans", $$"""{"loanId":"{{id}}","borrower":"XZMU","lender":"NJU","title":"t","at":"2026-10-12T08:30:00+08:00"}""");
        foreach (var id in new[] { "RECV", "RET", "LOST", "REF" })
            await Ok($"{A}/loans/{id}/shipped", """{"at":"2026-10-13T09:00:00+08:00"}""");
        await Ok($"{A}/loans/RET/received", """{"at":"2026-10-14T09:00:00+08:00"}""");
        foreach (var id in new[] { "DFUL", "DUNF", "DCAN", "DREF" })
            await Ok($"{A}/deliveries", $$"""{"deliveryId":"{{id}}","requester":"XZMU","supplier":"SEU","title":"t","at":"2026-10-03T09:00:00+08:00"}""");
        await Ok($"{A}/deliveries/DREF/fulfilled", """{"pages":10,"at":"2026-10-03T15:00:00+08:00"}""");
        foreach (var id in new[] { "P1", "P2", "P3" })
            await Ok($"{A}/joint-purchases", $$"""{"purchaseId":"{{id}}","resource":"r","vendor":"CNKI","licenceFrom":"2026-01-01","licenceTo":"2026-12-31","listPrice":100,"split":{"method":"equal"},"at":"2026-10-02T09:00:00+08:00"}""");
        foreach (var id in new[] { "P1", "P2", "P3" })
            await Ok($"{A}/joint-purchases/{id}/participants", """{"member":"SEU","at":"2026-10-03T09:00:00+08:00"}""");
        foreach (var id in new[] { "P2", "P3" })
            await Ok($"{A}/joint-purchases/{id}/invoice", """{"invoiceNumber":"I-1","amount":100,"invoiceDate":"2026-10-10"}""");
        await Ok($"{A}/joint-purchases/P3/allocation", """{"at":"2026-10-12T09:00:00+08:00"}""");
        foreach (var id in new[] { "CS1", "CS2", "CS3" })
            await Ok($"{A}/cost-shares", $$"""{"costShareId":"{{id}}","purpose":"courier","amount":90,"split":{"method":"equal"},"participants":[{"member":"NJU"},{"member":"SEU"}],"payeeVendor":"SF","at":"2026-10-02T09:00:00+08:00"}""");
        (await app.As(Roles.Operator).PostRaw($"{A}/members/NJU/agency-ids", """{"type":"ISIL","value":"CN-NJU"}""")).EnsureSuccessStatusCode();
        (await app.As(Roles.Operator).PostRaw($"{A}/members/XZMU/agency-ids", """{"type":"ISIL","value":"CN-XZMU"}""")).EnsureSuccessStatusCode();
        (await finance.PostAsync($"{A}/iso18626", new StringContent(Iso18626.Iso18626Tests.Request("DISP", "Loan", 30m), System.Text.Encoding.UTF8, "application/xml")))
            .EnsureSuccessStatusCode();
        var disputed = await finance.PostAsync($"{A}/iso18626", new StringContent(Iso18626.Iso18626Tests.Supplying("DISP", "Loaned", 45m), System.Text.Encoding.UTF8, "application/xml"));
        disputed.EnsureSuccessStatusCode();
        await Ok($"{A}/projects", """{"code":"PRJ2","name":"Second","departmentCode":"JSEDU","phase":"p","startsOn":"2026-01-01","endsOn":"2026-12-31"}""");
        await Ok($"{A}/subprojects", """{"code":"SUB2","projectCode":"JALIS-IV","title":"Second","undertakingMember":"SEU","budget":[{"line":"equipment","amount":100}]}""");
        await Ok($"{A}/subprojects", """{"code":"SUB3","projectCode":"JALIS-IV","title":"Third","undertakingMember":"SEU","budget":[{"line":"equipment","amount":100}]}""");
        await Ok($"{A}/subprojects/JALIS-IV-SUB/expenditures", """{"expenditureId":"E1","line":"operations","amount":1,"spentOn":"2026-02-01","voucher":"V-0","description":"d"}""");
        foreach (var id in new[] { "CS2", "CS3" })
            await Ok($"{A}/cost-shares/{id}/allocation", """{"at":"2026-10-12T09:00:00+08:00"}""");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Values of the wrong JSON type for a field of this kind.</summary>
    private static JsonNode?[] WrongTypes(Kind kind) => kind switch
    {
        Kind.Code or Kind.Text or Kind.Currency or Kind.TimeZone => [123, true, new JsonObject(), new JsonArray(), 1.5],
        Kind.Amount => ["12", "abc", true, new JsonObject(), new JsonArray(1)],
        Kind.Count => ["12", 1.5, true, new JsonArray(), 2147483648L],
        Kind.Bool => ["yes", 1, new JsonObject(), "true"],
        Kind.Date => ["2026-13-45", "yesterday", 20260101, "2026-01-01T00:00:00+08:00", true],
        Kind.Instant => ["not a time", 12345, "2026-02-30T09:00:00Z", true, new JsonArray()],
        Kind.Enum => ["galactic", 0, 1, true, new JsonObject()],
        Kind.Score => ["12", true, new JsonObject(), new JsonArray()],
        Kind.Subsidies or Kind.Participants or Kind.Budget => ["north", 5, new JsonObject(), new JsonArray(1, 2)],
        Kind.Split => ["equal", 5, new JsonArray(), true],
        Kind.Metric => [5, true, new JsonArray()],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Values of the right JSON type that the rules refuse.</summary>
    private static JsonNode?[] OutOfRange(Field f) => f.Kind switch
    {
        Kind.Code => ["", "has space", "../etc/passwd", "<script>", new string('a', 65), "-lead", "名字"],
        Kind.Text => f.Required ? ["", "   ", new string('x', f.Max + 1)] : [new string('x', f.Max + 1)],
        Kind.Amount => [-1, 0.001m, 1_000_000_000_000.01m, -0.01m, 1e28m, JsonNode.Parse("1e400")],
        Kind.Count => [-1, f.Max + 1L, int.MinValue],
        Kind.Currency => ["cny", "CNYY", "C1Y", ""],
        Kind.TimeZone => ["Mars/Base", "", "UTC+8 please"],
        Kind.Metric => ["Views", "", "unique_item_requests"],
        Kind.Score => [-1, 100.01m, 1000],
        Kind.Budget => [
            new JsonArray(), JsonNode.Parse("""[{"line":"bad line","amount":1}]"""), JsonNode.Parse("""[{"line":"x","amount":-1}]"""), JsonNode.Parse("""[null]"""),
            JsonNode.Parse("""[{"line":"x","amount":1},{"line":"x","amount":2}]"""), JsonNode.Parse("""[{"line":"x"}]"""), JsonNode.Parse("""[{"line":"x","amount":1,"extra":1}]""")],
        Kind.Split => [
            JsonNode.Parse("""{"method":"galactic"}"""), JsonNode.Parse("""{}"""), JsonNode.Parse("""{"method":"mixed"}"""),
            JsonNode.Parse("""{"method":"mixed","basePercent":120,"restBy":"fte"}"""), JsonNode.Parse("""{"method":"mixed","basePercent":20,"restBy":"equal"}"""),
            JsonNode.Parse("""{"method":"equal","basePercent":20}"""), JsonNode.Parse("""{"method":"fixed","fixed":[]}"""),
            JsonNode.Parse("""{"method":"fixed","fixed":[{"member":"NJU","percent":100.001}]}"""), JsonNode.Parse("""{"method":"tiered","tiers":[{"fromFte":-1,"price":1}]}"""),
            JsonNode.Parse("""{"method":"tiered","tiers":[{"fromFte":0,"price":1},{"fromFte":0,"price":2}]}"""), JsonNode.Parse("""{"method":"equal","extra":1}""")],
        Kind.Participants => [
            new JsonArray(), JsonNode.Parse("""[{"member":"bad code"}]"""), JsonNode.Parse("""[{"member":"NJU","usage":-1}]"""), JsonNode.Parse("""[null]"""),
            JsonNode.Parse("""[{"member":"NJU","share":1}]"""), JsonNode.Parse("""[{}]""")],
        Kind.Subsidies => [
            JsonNode.Parse("""[{"regionGroup":"north","ratePercent":101,"cap":1}]"""),
            JsonNode.Parse("""[{"regionGroup":"north","ratePercent":50.001,"cap":1}]"""),
            JsonNode.Parse("""[{"regionGroup":"north","ratePercent":50,"cap":-1}]"""),
            JsonNode.Parse("""[{"regionGroup":"north","ratePercent":50,"cap":1},{"regionGroup":"north","ratePercent":10,"cap":1}]"""),
            JsonNode.Parse("""[{}]"""), JsonNode.Parse("""[null]"""), JsonNode.Parse("""[{"regionGroup":"north","ratePercent":50,"cap":1,"extra":1}]"""),
            new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode?)JsonNode.Parse($$"""{"regionGroup":"g{{i}}","ratePercent":1,"cap":1}""")).ToArray())],
        _ => [],
    };

    private sealed record Body(string Why, byte[] Bytes, string ContentType = "application/json");

    private static Body Json(string why, JsonNode node) => new(why, Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static Body Text(string why, string text) => new(why, Encoding.UTF8.GetBytes(text));

    private static IEnumerable<Body> Generate(Spec spec, Random random)
    {
        JsonObject Template() => JsonNode.Parse(spec.Template)!.AsObject();

        var single = new List<(string Why, Func<JsonObject, JsonObject> Apply)>();
        foreach (var f in spec.Fields)
        {
            foreach (var v in WrongTypes(f.Kind)) single.Add(($"{f.Name} = {v?.ToJsonString()}", o => { o[f.Name] = v?.DeepClone(); return o; }));
            foreach (var v in OutOfRange(f)) single.Add(($"{f.Name} = {Short(v)}", o => { o[f.Name] = v?.DeepClone(); return o; }));
            if (f.Required)
            {
                single.Add(($"{f.Name} null", o => { o[f.Name] = null; return o; }));
                single.Add(($"{f.Name} missing", o => { o.Remove(f.Name); return o; }));
            }
        }
        for (var i = 0; i < 6; i++)
        {
            var name = $"x{i}_{random.Next(1000)}";
            single.Add(($"unknown field {name}", o => { o[name] = i % 2 == 0 ? 1 : "v"; return o; }));
        }
        if (spec.Fields.Length > 0) single.Add(("misspelt field", o =>
        {
            if (o.Count == 0) { o["x_misspelt"] = 1; return o; }
            var (k, v) = o.First();
            o.Remove(k);
            o[k + "s"] = v?.DeepClone();
            return o;
        }
            ));

        foreach (var (why, apply) in single) yield return Json(why, apply(Template()));

        // Two or three faults at once, on different fields.
        for (var i = 0; i < 120; i++)
        {
            var picks = Enumerable.Range(0, random.Next(2, 4)).Select(_ => single[random.Next(single.Count)]).ToList();
            var o = Template();
            foreach (var p in picks) o = p.Apply(o);
            var body = Json(string.Join(" + ", picks.Select(p => p.Why)), o);
            // Two faults on one field can cancel out (a wrong value then "missing" of an optional one cannot happen: only
            // required fields go missing), so every compound keeps at least one fault.
            yield return body;
        }

        // Not JSON, or JSON of the wrong shape.
        var text = spec.Template;
        for (var i = 0; i < 15; i++)
        {
            var cut = 1 + random.Next(text.Length - 1);
            yield return Text($"truncated at {cut}", text[..cut]);
        }
        foreach (var t in new[] { "[]", "1", "\"text\"", "true", "{", "}", "{]", "{'single':'quotes'}", "{\"a\":1,}", "{\"a\" 1}", "NaN", "{} {}", spec.Template + "x", spec.Template + spec.Template })
            yield return Text($"not one object: {t[..Math.Min(t.Length, 20)]}", t);
        if (spec.BodyRequired)
        {
            yield return Text("null body", "null");
            yield return Text("empty body", "");
            yield return Text("whitespace body", "   ");
        }
        foreach (var f in spec.Fields.Take(3))
            yield return Text($"{f.Name} repeated", spec.Template.TrimEnd('}') + $",\"{f.Name}\":" + JsonNode.Parse(spec.Template)![f.Name]?.ToJsonString() + "}");
        yield return Text("nested 200 deep", "{\"" + (spec.Fields.Length > 0 ? spec.Fields[0].Name : "a") + "\":" + new string('[', 200) + new string(']', 200) + "}");
        yield return Text("nested object 100 deep", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100));
        var utf8 = Encoding.UTF8.GetBytes(spec.Template);
        var broken = utf8.Concat(Array.Empty<byte>()).ToArray();
        var quote = Array.IndexOf(broken, (byte)':') + 2;
        if (quote > 1) yield return new Body("invalid UTF-8 in a string", [.. broken[..quote], 0xC3, 0x28, .. broken[quote..]]);
        else yield return new Body("invalid UTF-8 as a field name", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        yield return new Body("random bytes", Enumerable.Range(0, 64).Select(_ => (byte)random.Next(256)).ToArray());
        if (spec.Template.Contains(":\"", StringComparison.Ordinal))
            yield return new Body("a control character in a string", Encoding.UTF8.GetBytes(spec.Template.Replace(":\"", ":\"\u0001")));
        yield return new Body("form-encoded", Encoding.UTF8.GetBytes("a=1&b=2"), "application/x-www-form-urlencoded");
        yield return new Body("plain text type", utf8, "text/plain");
        // Well-formed apart from its size (trailing whitespace is valid JSON).
        yield return Text("body over the size limit", spec.Template + new string(' ', 70_000));
    }

    private static string Short(JsonNode? v) { var s = v?.ToJsonString() ?? "null"; return s.Length > 30 ? s[..30] + "…" : s; }

    [Fact]
    public async Task malformed_bodies_at_every_write_endpoint_never_yield_500_and_never_change_the_store()
    {
        var random = new Random(20261127);
        var before = await app.EventCount();
        var operatorClient = app.As(Roles.Operator);
        var finance = app.As(Roles.FinanceOfficer);
        var wrong = new List<string>();
        var sent = 0;
        foreach (var spec in Specs)
        {
            var client = spec.Operator ? operatorClient : finance;
            foreach (var body in Generate(spec, random))
            {
                var content = new ByteArrayContent(body.Bytes);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(body.ContentType);
                var response = await client.PostAsync(spec.Url, content);
                sent++;
                var status = (int)response.StatusCode;
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                if (status is < 400 or >= 500 || !problem)
                    wrong.Add($"{spec.Url} [{body.Why}] → {status}");
            }
        }
        output.WriteLine($"{sent} malformed bodies at {Specs.Length} write endpoints");
        wrong.ShouldBeEmpty(string.Join(Environment.NewLine, wrong.Take(40)));
        sent.ShouldBeGreaterThan(Specs.Length * 200);
        (await app.EventCount()).ShouldBe(before);

        // The templates themselves are good: each is accepted where its malformed variants were refused.
        foreach (var spec in Specs)
        {
            var response = await (spec.Operator ? operatorClient : finance).PostRaw(spec.Url, spec.Template);
            ((int)response.StatusCode).ShouldBeInRange(200, 201, $"{spec.Url}: {await response.Content.ReadAsStringAsync()}");
        }
        (await app.EventCount()).ShouldBeGreaterThanOrEqualTo(before + Specs.Length);
    }

    [Fact]
    public async Task a_body_over_the_limit_is_refused_with_413_whether_or_not_it_states_its_length()
    {
        var finance = app.As(Roles.FinanceOfficer);
        var big = $$"""{"loanId":"BIG","borrower":"XZMU","lender":"NJU","title":"{{new string('x', 70_000)}}"}""";
        var stated = await finance.PostRaw($"{A}/loans", big);
        stated.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await stated.ProblemCode()).ShouldBe(Hardening.BodyTooLarge);

        var chunked = new PushStreamContent(big);
        var streamed = await finance.PostAsync($"{A}/loans", chunked);
        streamed.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await streamed.ProblemCode()).ShouldBe(Hardening.BodyTooLarge);
    }

    [Fact]
    public async Task query_limits_are_checked_not_clamped()
    {
        var finance = app.As(Roles.FinanceOfficer);
        foreach (var url in new[]
                 {
                     $"{A}/members/NJU/statement?limit=0", $"{A}/members/NJU/statement?limit=1001", $"{A}/members/NJU/statement?limit=abc",
                     $"{A}/members/NJU/statement?after=garbage", $"{A}/members/NJU/balance?asOf=2026-02-30",
                     $"{A}/usage?from=2000-01&to=2026-12", $"{A}/usage?from=2026-13", $"{A}/usage?service=anything",
                 })
        {
            var response = await finance.GetAsync(url);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, url);
            (await response.Json()).GetProperty("detail").GetString()!.ShouldNotContain("System.", Case.Sensitive, url);
        }
    }

    /// <summary>A body sent without Content-Length (chunked), as a streaming client would.</summary>
    private sealed class PushStreamContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
