using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Alliances;

public class AllianceEndpointTests(LedgerApp<AllianceEndpointTests> app) : IClassFixture<LedgerApp<AllianceEndpointTests>>
{
    private readonly HttpClient client = app.As(Roles.Operator);

    private Task EnsureAlliance() => TestAlliance.Ensure(app);

    [Fact]
    public async Task an_alliance_is_founded_and_read_back_with_its_members_and_policies()
    {
        await EnsureAlliance();
        var response = await client.GetAsync(TestAlliance.A);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.ShouldBe("\"5\"");
        var body = await response.Json();
        body.GetProperty("kind").GetString().ShouldBe("provincial");
        body.GetProperty("timeZone").GetString().ShouldBe("Asia/Shanghai");
        body.GetProperty("members").GetArrayLength().ShouldBe(3);
        var policy = body.GetProperty("feePolicies")[0];
        policy.Decimal("loanFee").ShouldBe(40.00m);
        policy.GetProperty("subsidies")[0].Decimal("ratePercent").ShouldBe(50m);
    }

    [Fact]
    public async Task founding_twice_is_a_retry_and_founding_with_other_content_is_a_conflict()
    {
        await EnsureAlliance();
        var before = await app.EventCount();
        var retry = await client.Post("/api/alliances", new
        {
            code = "TST",
            name = "Test Alliance",
            kind = "provincial",
            region = "Jiangsu",
            departmentCode = "JSEDU",
        });
        retry.StatusCode.ShouldBe(HttpStatusCode.Created);
        var other = await client.Post("/api/alliances", new { code = "TST", name = "Other", kind = "municipal", region = "X", departmentCode = "D" });
        other.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await other.ProblemCode()).ShouldBe("alliance_code_must_not_be_reused");
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task a_member_admitted_then_leaving_is_shown_with_its_leaving_date()
    {
        await EnsureAlliance();
        (await client.Post($"{TestAlliance.A}/members", new { code = "LEAVER", name = "L", fte = 1, regionGroup = "south", role = "service-centre", joinedOn = "2026-02-01" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var left = await client.Post($"{TestAlliance.A}/members/LEAVER/leave", new { leftOn = "2026-09-01" });
        left.StatusCode.ShouldBe(HttpStatusCode.OK);
        var member = (await left.Json()).GetProperty("members").EnumerateArray().Single(m => m.GetProperty("code").GetString() == "LEAVER");
        member.GetProperty("leftOn").GetString().ShouldBe("2026-09-01");
        member.GetProperty("role").GetString().ShouldBe("service-centre");

        var again = await client.Post($"{TestAlliance.A}/members/LEAVER/leave", new { leftOn = "2026-10-01" });
        (await again.ProblemCode()).ShouldBe("member_must_not_have_left");
        var unknown = await client.Post($"{TestAlliance.A}/members/NOBODY/leave", new { leftOn = "2026-10-01" });
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknown.ProblemCode()).ShouldBe("member_must_exist");
    }

    [Fact]
    public async Task a_fee_policy_is_not_edited_in_place()
    {
        await EnsureAlliance();
        var changed = await client.Post($"{TestAlliance.A}/fee-policies", new { effectiveFrom = "2026-01-01", loanFee = 41m, deliveryBaseFee = 2m, perPageFee = 0.3m });
        changed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await changed.ProblemCode()).ShouldBe("fee_policy_date_must_not_be_reused");
        var noFunding = await client.Post($"{TestAlliance.A}/fee-policies", new { effectiveFrom = "2027-01-01", loanFee = 41m, deliveryBaseFee = 2m, perPageFee = 0.3m, supplierReward = 5m });
        (await noFunding.ProblemCode()).ShouldBe("fee_policy_must_name_funding_reference");
    }

    [Fact]
    public async Task bad_shapes_are_400_with_the_fields_named_and_change_nothing()
    {
        await EnsureAlliance();
        var before = await app.EventCount();
        var bad = await client.Post("/api/alliances", new { code = "bad code!", name = "", kind = "provincial", region = "x", departmentCode = "D", timeZone = "Mars/Base" });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await bad.Json();
        problem.GetProperty("code").GetString().ShouldBe("request_invalid");
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty("code", out _).ShouldBeTrue();
        errors.TryGetProperty("name", out _).ShouldBeTrue();
        errors.TryGetProperty("timeZone", out _).ShouldBeTrue();

        (await (await client.PostRaw("/api/alliances", """{"code":"X","name":"n","kind":"galactic","region":"r","departmentCode":"D"}""")).ProblemCode())
            .ShouldBe("request_malformed");
        (await (await client.PostRaw($"{TestAlliance.A}/fee-policies", """{"effectiveFrom":"2027-01-01","loanFee":40.001,"deliveryBaseFee":2,"perPageFee":0.3}""")).ProblemCode())
            .ShouldBe("request_invalid");
        (await (await client.PostRaw($"{TestAlliance.A}/members", """{"code":"M","name":"n","fte":-1,"regionGroup":"s","role":"member","joinedOn":"2026-01-01"}""")).ProblemCode())
            .ShouldBe("request_invalid");
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task an_unknown_alliance_is_404()
    {
        var response = await client.GetAsync("/api/alliances/NOPE");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemCode()).ShouldBe("alliance_must_exist");
        (await client.Post("/api/alliances/NOPE/members", new { code = "M", name = "n", fte = 1, regionGroup = "s", role = "member", joinedOn = "2026-01-01" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task the_openapi_document_is_served()
    {
        var doc = await (await client.GetAsync("/openapi/v1.json")).Json();
        doc.GetProperty("paths").TryGetProperty("/api/alliances/{alliance}/loans/{loanId}/shipped", out _).ShouldBeTrue();
    }
}
