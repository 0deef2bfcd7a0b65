namespace Ledger.Api.Tests.Infrastructure;

/// <summary>Sets up a test alliance through the API, as a finance officer would.</summary>
public static class TestAlliance
{
    public const string Code = "TST";
    public const string Department = "JSEDU";
    public const string A = "/api/alliances/TST";
    public const string TimeZone = "Asia/Shanghai";

    /// <summary>Sets the alliance up unless an earlier test of the class already did; true when it was set up now.</summary>
    public static async Task<bool> Ensure(ITestApp app)
    {
        var client = app.As(global::Ledger.Api.Security.Roles.Operator);
        if ((await client.GetAsync(A)).StatusCode != System.Net.HttpStatusCode.NotFound) return false;
        await Alliance(client, app.As(global::Ledger.Api.Security.Roles.FinanceOfficer));
        return true;
    }

    /// <summary>The alliance, its members, the JALIS-IV project whose sub-project JALIS-IV-SUB pays subsidies (100,000.00 allocated), and the fee policy.</summary>
    public static async Task Alliance(HttpClient client, HttpClient finance)
    {
        (await client.Post("/api/alliances", new
        {
            code = "TST",
            name = "Test Alliance",
            kind = "provincial",
            region = "Jiangsu",
            departmentCode = Department,
            currency = "CNY",
            timeZone = "Asia/Shanghai",
            foundedAt = "2026-01-01T09:00:00+08:00",
        })).EnsureSuccessStatusCode();
        foreach (var (code, group) in new[] { ("NJU", "south"), ("SEU", "south"), ("XZMU", "north") })
            (await client.Post($"{A}/members", new
            {
                code,
                name = $"{code} Library",
                fte = 20000,
                regionGroup = group,
                role = "member",
                joinedOn = "2026-01-01",
            })).EnsureSuccessStatusCode();
        (await finance.Post($"{A}/projects", new { code = "JALIS-IV", name = "JALIS phase IV", departmentCode = Department, phase = "JALIS phase IV", startsOn = "2026-01-01", endsOn = "2027-12-31" }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects", new
        {
            code = "JALIS-IV-SUB",
            projectCode = "JALIS-IV",
            title = "Interlibrary service subsidies",
            undertakingMember = "NJU",
            budget = new[] { new { line = "subsidy", amount = 200_000m }, new { line = "operations", amount = 10_000m } },
        })).EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/JALIS-IV-SUB/allocations", new { allocationId = "ALLOC-2026", fiscalYear = 2026, amount = 100_000m, allocatedOn = "2026-01-05" }))
            .EnsureSuccessStatusCode();
        await FeePolicy(client, "2026-01-01", "JALIS-IV-SUB", rushSurcharge: 10.00m);
    }

    /// <summary>The test fee policy (loan 40, copy 2 + 0.30 a page, reward 5, 50 % subsidy for the north) paid from a grant.</summary>
    public static async Task FeePolicy(HttpClient operatorClient, string effectiveFrom, string fundingReference, decimal? rushSurcharge = null) =>
        (await operatorClient.Post($"{A}/fee-policies", new
        {
            effectiveFrom,
            loanFee = 40.00m,
            deliveryBaseFee = 2.00m,
            perPageFee = 0.30m,
            rushSurcharge,
            supplierReward = 5.00m,
            subsidies = new[] { new { regionGroup = "north", ratePercent = 50m, cap = 100m } },
            fundingReference,
        })).EnsureSuccessStatusCode();
}
