using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Settlement;

/// <summary>
/// The finance officer's month, end to end on PostgreSQL: a 1,000,000.00 CNY licence split among 37 members by a 20 %
/// equal base and 80 % by COUNTER usage, one member withdrawing, payments, an interlibrary loan, a late event, the
/// month closed and statements downloaded (JSON, CSV, xlsx) that add up.
/// </summary>
public class ConsortiumScenarioTests(LedgerApp<ConsortiumScenarioTests> app) : ConsortiumScenarioTestsCases(app), IClassFixture<LedgerApp<ConsortiumScenarioTests>>;

/// <summary>The same tests on a host whose clock is five years ahead: none of them depends on the day the suite runs.</summary>
public class ConsortiumScenarioTestsFiveYearsOn(LaterDayApp<ConsortiumScenarioTestsFiveYearsOn> app) : ConsortiumScenarioTestsCases(app), IClassFixture<LaterDayApp<ConsortiumScenarioTestsFiveYearsOn>>;

public abstract class ConsortiumScenarioTestsCases(LedgerApp app) : IAsyncLifetime
{
    private const string A = "/api/alliances/CONS";
    private readonly HttpClient finance = app.As(Roles.FinanceOfficer, alliance: "CONS");
    private static string M(int i) => $"M{i:D2}";

    /// <summary>A member's usage in COUNTER form: R5 for odd members, R5.1 for even ones; unique requests total 100·i + 7.</summary>
    public static string Counter(int i)
    {
        long unique = 100 * i + 7, first = unique / 3, second = unique - first;
        object report = i % 2 == 1
            ? new
            {
                Report_Header = new
                {
                    Report_ID = "TR_J1",
                    Release = "5",
                    Institution_Name = $"Library {i}",
                    Report_Filters = new[] { new { Name = "Begin_Date", Value = "2026-01-01" }, new { Name = "End_Date", Value = "2026-09-30" } },
                },
                Report_Items = new[]
                {
                    new
                    {
                        Title = "J1",
                        Performance = new object[]
                        {
                            new { Period = new { Begin_Date = "2026-01-01", End_Date = "2026-01-31" }, Instance = new[] { new { Metric_Type = "Unique_Item_Requests", Count = first }, new { Metric_Type = "Total_Item_Requests", Count = first + 5 } } },
                            new { Period = new { Begin_Date = "2026-02-01", End_Date = "2026-02-28" }, Instance = new[] { new { Metric_Type = "Unique_Item_Requests", Count = second } } },
                        },
                    },
                },
            }
            : new
            {
                Report_Header = new { Report_ID = "TR_J1", Release = "5.1", Report_Filters = new { Begin_Date = "2026-01-01", End_Date = "2026-09-30" } },
                Report_Items = new[]
                {
                    new
                    {
                        Title = "J1",
                        Attribute_Performance = new[]
                        {
                            new
                            {
                                Performance = new Dictionary<string, Dictionary<string, long>>
                                {
                                    ["Unique_Item_Requests"] = new() { ["2026-01"] = first, ["2026-02"] = second },
                                    ["Total_Item_Requests"] = new() { ["2026-01"] = unique * 2 },
                                },
                            },
                        },
                    },
                },
            };
        return JsonSerializer.Serialize(report);
    }

    public async Task InitializeAsync()
    {
        var op = app.As(Roles.Operator);
        if ((await op.GetAsync(A)).StatusCode != HttpStatusCode.NotFound) return;
        (await op.Post("/api/alliances", new { code = "CONS", name = "Consortium", kind = "provincial", region = "Jiangsu", departmentCode = "JSEDU", foundedAt = "2026-09-01T09:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        for (var i = 1; i <= 37; i++)
            (await op.Post($"{A}/members", new { code = M(i), name = $"Library {i}", fte = 1000 * i, regionGroup = "south", role = "member", joinedOn = "2026-09-01" }))
                .EnsureSuccessStatusCode();
        (await op.Post($"{A}/fee-policies", new { effectiveFrom = "2026-09-01", loanFee = 40m, deliveryBaseFee = 2m, perPageFee = 0.3m })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        if (!response.IsSuccessStatusCode) throw new ShouldAssertException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    private static Dictionary<string, decimal> SharesOf(JsonElement purchase) => purchase.GetProperty("participants").EnumerateArray()
        .ToDictionary(p => p.GetProperty("member").GetString()!, p => p.Decimal("share"));

    [Fact]
    public async Task a_million_split_among_37_by_counter_usage_with_a_withdrawal_payments_and_a_closed_month_adds_up()
    {
        var p = $"{A}/joint-purchases/LIC-2026";
        await Ok(finance.Post($"{A}/joint-purchases", new
        {
            purchaseId = "LIC-2026",
            resource = "Chinese academic journals 2026",
            vendor = "CNKI",
            licenceFrom = "2026-01-01",
            licenceTo = "2026-12-31",
            listPrice = 1_050_000m,
            split = new { method = "mixed", basePercent = 20m, restBy = "usage" },
            at = "2026-10-02T09:00:00+08:00",
        }));
        for (var i = 1; i <= 37; i++)
            await Ok(finance.Post($"{p}/participants", new { member = M(i), at = "2026-10-03T09:00:00+08:00" }));
        for (var i = 1; i <= 37; i++)
            await Ok(finance.PostRaw($"{p}/usage?member={M(i)}", Counter(i)));

        // A file that is no COUNTER report, or a report without the metric, is refused and changes nothing.
        var before = await app.EventCount();
        var bad = await finance.PostRaw($"{p}/usage?member=M01", """{"Report_Header":{"Report_ID":"PR","Release":"5"},"Report_Items":[]}""");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.ProblemCode()).ShouldBe("counter_report_invalid");
        (await app.EventCount()).ShouldBe(before);

        await Ok(finance.Post($"{p}/invoice", new { invoiceNumber = "CNKI-2026-0042", amount = 1_000_000m, invoiceDate = "2026-10-10" }));
        var allocated = await Ok(finance.Post($"{p}/allocation", new { at = "2026-10-12T09:00:00+08:00" }));
        var shares = SharesOf(allocated);
        shares.Count.ShouldBe(37);
        shares.Values.Sum().ShouldBe(1_000_000m);
        shares.Values.ShouldAllBe(s => decimal.Round(s, 2) == s);
        shares["M37"].ShouldBeGreaterThan(shares["M01"]);
        allocated.GetProperty("participants").EnumerateArray().First().GetProperty("usage").GetInt64().ShouldBe(107);

        // M37 withdraws: its share is reversed, the other 36 share the whole invoice again.
        var after = await Ok(finance.Post($"{p}/withdrawals", new { member = "M37", reason = "budget cut", at = "2026-10-15T09:00:00+08:00" }));
        var reshared = SharesOf(after);
        reshared.Count.ShouldBe(36);
        reshared.Values.Sum().ShouldBe(1_000_000m);
        foreach (var (member, share) in reshared) share.ShouldBeGreaterThanOrEqualTo(shares[member]);

        // The allocation as a download: CSV rows add up to the invoice.
        var csv = await (await finance.GetAsync($"{p}/allocation?format=csv")).Content.ReadAsStringAsync();
        var rows = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        rows.Count.ShouldBe(36);
        rows.Sum(r => decimal.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(1_000_000m);

        // Money moves: M01 pays its share, the centre pays the vendor, and an interlibrary loan between two members.
        await Ok(finance.Post($"{A}/payments", new { paymentId = "PAY-M01-1", member = "M01", direction = "member-to-centre", amount = reshared["M01"], paidOn = "2026-10-20", bankReference = "BOC-20261020-1" }));
        await Ok(finance.Post($"{A}/payments", new { paymentId = "PAY-M01-1", member = "M01", direction = "member-to-centre", amount = reshared["M01"], paidOn = "2026-10-20", bankReference = "BOC-20261020-1" }));
        await Ok(finance.Post($"{p}/vendor-payments", new { paymentId = "VP-1", amount = 1_000_000m, paidOn = "2026-10-25", bankReference = "ICBC-0042" }));
        await Ok(finance.Post($"{A}/loans", new { loanId = "L1", borrower = "M02", lender = "M03", title = "t", at = "2026-10-05T09:00:00+08:00" }));
        await Ok(finance.Post($"{A}/loans/L1/shipped", new { at = "2026-10-06T09:00:00+08:00" }));

        // September closes empty; then a late payment dated in September falls into October, keeping its date.
        var september = await Ok(finance.Post($"{A}/periods/2026-09/close", new { }));
        september.GetProperty("postings").GetInt32().ShouldBe(0);
        await Ok(finance.Post($"{A}/payments", new { paymentId = "PAY-M05-LATE", member = "M05", direction = "member-to-centre", amount = 10m, paidOn = "2026-09-28", bankReference = "BOC-LATE" }));
        (await (await finance.Post($"{A}/periods/2026-11/close", new { })).ProblemCode()).ShouldBe("period_must_be_the_first_open_period");

        var october = await Ok(finance.Post($"{A}/periods/2026-10/close", new { }));
        october.GetProperty("accounts").EnumerateArray().Sum(a => a.Decimal("closing")).ShouldBe(0m);
        october.GetProperty("accounts").EnumerateArray().Sum(a => a.Decimal("movement")).ShouldBe(0m);
        october.GetProperty("statements").GetArrayLength().ShouldBe(37);
        var positions = october.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("account").GetString()!, a => a.Decimal("closing"));
        positions["purchase:LIC-2026"].ShouldBe(0m);
        positions["vendor:CNKI"].ShouldBe(0m);
        positions["member:M37"].ShouldBe(0m);
        positions["member:M01"].ShouldBe(0m);
        positions["member:M05"].ShouldBe(-reshared["M05"] + 10m);
        october.GetProperty("bilateral").EnumerateArray()
            .ShouldContain(f => f.GetProperty("from").GetString() == "member:M02" && f.GetProperty("to").GetString() == "member:M03" && f.Decimal("amount") == 40m);
        (await Ok(finance.Post($"{A}/periods/2026-10/close", new { }))).GetProperty("closedAt").GetString().ShouldBe(october.GetProperty("closedAt").GetString());

        // M05's statement: the late September payment is on October's statement with its own date; lines add up.
        var m05 = app.As(Roles.Member, member: "M05", alliance: "CONS");
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<global::Ledger.Projections.Audit.AuditChains>(app.Services).For("CONS")
            .CatchUp(CancellationToken.None);
        var statement = await Ok(m05.GetAsync($"{A}/periods/2026-10/statements/M05"));
        statement.GetProperty("auditHead").GetProperty("sequence").GetInt64().ShouldBe(statement.GetProperty("highWater").GetInt64());
        var lines = statement.GetProperty("postings").EnumerateArray().ToList();
        lines.ShouldContain(l => l.GetProperty("businessDate").GetString() == "2026-09-28" && l.Decimal("amount") == 10m);
        (statement.Decimal("openingBalance") + lines.Sum(l => l.Decimal("amount"))).ShouldBe(statement.Decimal("closingBalance"));
        statement.Decimal("toPay").ShouldBe(reshared["M05"] - 10m);
        (await m05.GetAsync($"{A}/periods/2026-10/statements/M06")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await m05.GetAsync($"{A}/periods/2026-10/settlement")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // The same statement downloaded as CSV and as a workbook.
        var statementCsv = await (await m05.GetAsync($"{A}/periods/2026-10/statements/M05?format=csv")).Content.ReadAsStringAsync();
        var csvLines = statementCsv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csvLines[0].ShouldStartWith("business_date,amount,account");
        csvLines.Length.ShouldBe(1 + 1 + lines.Count + 3);
        var csvAmounts = csvLines[2..^3].Select(l => decimal.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        csvAmounts.ShouldContain(a => a < 0); // negative amounts stay numbers (no formula escaping on numbers)
        (decimal.Parse(csvLines[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) + csvAmounts.Sum())
            .ShouldBe(decimal.Parse(csvLines[^3].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        var xlsx = await m05.GetAsync($"{A}/periods/2026-10/statements/M05?format=xlsx");
        xlsx.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        using (var zip = new ZipArchive(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync())))
        {
            var sheet = zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal));
            using var reader = new StreamReader(sheet.Open(), Encoding.UTF8);
            var xml = await reader.ReadToEndAsync();
            xml.ShouldContain("closing balance");
            xml.ShouldContain("v1.purchase_reallocated");
        }

        // A closed period never changes: a later event dated in October lands in November, and October's statement is as issued.
        await Ok(finance.Post($"{A}/payments", new { paymentId = "PAY-M05-LATER", member = "M05", direction = "member-to-centre", amount = 1m, paidOn = "2026-10-31", bankReference = "BOC-LATER" }));
        var again = await Ok(m05.GetAsync($"{A}/periods/2026-10/statements/M05"));
        again.GetProperty("digest").GetString().ShouldBe(statement.GetProperty("digest").GetString());
        again.GetProperty("postings").GetArrayLength().ShouldBe(lines.Count);
        var periods = await Ok(finance.GetAsync($"{A}/periods"));
        periods.GetProperty("firstOpen").GetProperty("period").GetString().ShouldBe("2026-11");
    }
}
