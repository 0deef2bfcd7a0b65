using System.Diagnostics;
using System.Net.Http.Json;
using Ledger.Api.Security;
using Ledger.Hosting;

namespace Ledger.Benchmarks;

/// <summary>An alliance of 20 members (half of them subsidised), a funded sub-project and a fee policy, made through the API.</summary>
public sealed class BenchAlliance(ApiProcess api)
{
    public const string Code = "BENCH";
    public const string Department = "BENCHEDU";
    public const string A = "/api/alliances/BENCH";
    public readonly string[] Members = Enumerable.Range(1, 20).Select(i => $"M{i:00}").ToArray();

    public HttpClient Service { get; } = api.As(Roles.Service, Code);
    public HttpClient Finance { get; } = api.As(Roles.FinanceOfficer, Code);
    public HttpClient Auditor { get; } = api.As(Roles.Auditor, Code, department: Department);

    public async Task Create()
    {
        var op = api.As(Roles.Operator, Code);
        await Ok(op.PostAsJsonAsync("/api/alliances", new
        {
            code = Code,
            name = "Benchmark Alliance",
            kind = "provincial",
            region = "Jiangsu",
            departmentCode = Department,
            currency = "CNY",
            timeZone = "Asia/Shanghai",
            foundedAt = "2026-01-01T09:00:00+08:00",
        }));
        for (var i = 0; i < Members.Length; i++)
            await Ok(op.PostAsJsonAsync($"{A}/members", new
            {
                code = Members[i],
                name = $"{Members[i]} Library",
                fte = 10_000 + 1_000 * i,
                regionGroup = i % 2 == 0 ? "south" : "north",
                role = "member",
                joinedOn = "2026-01-01",
            }));
        await Ok(Finance.PostAsJsonAsync($"{A}/projects", new
        {
            code = "P",
            name = "Benchmark project",
            departmentCode = Department,
            phase = "phase I",
            startsOn = "2026-01-01",
            endsOn = "2030-12-31",
        }));
        await Ok(Finance.PostAsJsonAsync($"{A}/subprojects", new
        {
            code = "P-SUB",
            projectCode = "P",
            title = "Subsidies",
            undertakingMember = "M01",
            budget = new[] { new { line = "subsidy", amount = 900_000_000m } },
        }));
        await Ok(Finance.PostAsJsonAsync($"{A}/subprojects/P-SUB/allocations", new { allocationId = "A1", fiscalYear = 2026, amount = 900_000_000m, allocatedOn = "2026-01-05" }));
        await Ok(op.PostAsJsonAsync($"{A}/fee-policies", new
        {
            effectiveFrom = "2026-01-01",
            loanFee = 40.00m,
            deliveryBaseFee = 2.00m,
            perPageFee = 0.30m,
            rushSurcharge = 10.00m,
            supplierReward = 5.00m,
            subsidies = new[] { new { regionGroup = "north", ratePercent = 50m, cap = 100m } },
            fundingReference = "P-SUB",
        }));
    }

    public IEnumerable<(string Name, string Url, HttpClient Client)> Queries()
    {
        yield return ("balance of one member", $"{A}/members/M07/balance", Finance);
        yield return ("statement page (100 lines)", $"{A}/members/M07/statement?limit=100", Finance);
        yield return ("alliance balances", $"{A}/balances", Finance);
        yield return ("usage, one month, all members", $"{A}/usage?from=2026-10&to=2026-10", Finance);
        yield return ("funding report (department)", $"/api/departments/{Department}/funding-report", Auditor);
    }

    public static async Task Ok(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>
/// The realistic mix per iteration of a client: a loan requested, shipped, received and returned; a delivery requested
/// and fulfilled; the borrower's balance read. Each client keeps going until the phase ends.
/// </summary>
public static class CommandMix
{
    private static int phase;

    public sealed record Result(long Requests, long Writes, long Errors, double WritesPerSecond, Latencies Latency, Latencies WriteLatency);

    public static async Task<Result> Run(ApiProcess api, BenchAlliance alliance, int clients, TimeSpan duration)
    {
        var run = Interlocked.Increment(ref phase);
        var all = new Latencies();
        var writes = new Latencies();
        long requests = 0, written = 0, errors = 0;
        var client = alliance.Finance; // records activity and reads balances
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var members = alliance.Members;
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var borrower = members[(c + i) % members.Length];
                var lender = members[(c + i + 7) % members.Length];
                var loan = $"L{run}-{c}-{i}";
                var delivery = $"D{run}-{c}-{i}";
                var steps = new (string Url, object? Body)[]
                {
                    ($"{BenchAlliance.A}/loans", new { loanId = loan, borrower, lender, title = "t", at = "2026-10-12T08:30:00+08:00" }),
                    ($"{BenchAlliance.A}/loans/{loan}/shipped", new { at = "2026-10-13T08:30:00+08:00" }),
                    ($"{BenchAlliance.A}/loans/{loan}/received", new { at = "2026-10-15T08:30:00+08:00" }),
                    ($"{BenchAlliance.A}/loans/{loan}/returned", new { at = "2026-10-29T08:30:00+08:00" }),
                    ($"{BenchAlliance.A}/deliveries", new { deliveryId = delivery, requester = borrower, supplier = lender, title = "t", at = "2026-10-20T09:00:00+08:00" }),
                    ($"{BenchAlliance.A}/deliveries/{delivery}/fulfilled", new { pages = 12, at = "2026-10-20T15:00:00+08:00" }),
                    ($"{BenchAlliance.A}/members/{borrower}/balance", null),
                };
                foreach (var (url, body) in steps)
                {
                    var t = Stopwatch.StartNew();
                    using var response = body is null ? await client.GetAsync(url) : await client.PostAsJsonAsync(url, body);
                    await response.Content.LoadIntoBufferAsync();
                    var elapsed = t.Elapsed;
                    all.Add(elapsed);
                    Interlocked.Increment(ref requests);
                    if (!response.IsSuccessStatusCode && Interlocked.Increment(ref errors) <= 3)
                        Console.Error.WriteLine($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    if (body is null) continue;
                    writes.Add(elapsed);
                    Interlocked.Increment(ref written);
                }
            }
        }));
        return new Result(requests, written, errors, written / clock.Elapsed.TotalSeconds, all, writes);
    }
}
