using System.Net;
using System.Text.Json;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Security;

/// <summary>A host with a small rate limit: 5 requests at once, then 1 per second, per caller.</summary>
public sealed class RateLimitedApp : LedgerApp<HardeningTests>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ledger:Limits:PermitsPerSecond", "1");
        builder.UseSetting("Ledger:Limits:Burst", "5");
    }
}

public class HardeningTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task a_caller_over_its_rate_gets_429_with_retry_after_and_other_callers_are_not_affected()
    {
        var greedy = app.As(Roles.Member, member: "NJU");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++) answers.Add(await greedy.GetAsync("/api/alliances/TST"));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        limited.Count.ShouldBeGreaterThanOrEqualTo(5);
        foreach (var a in limited)
        {
            (await a.ProblemCode()).ShouldBe(Hardening.RateLimited);
            int.Parse(a.Headers.GetValues("Retry-After").Single()).ShouldBeGreaterThanOrEqualTo(1);
        }
        // Another caller has its own bucket.
        (await app.As(Roles.Member, member: "SEU").GetAsync("/api/alliances/TST")).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task an_unexpected_failure_answers_500_without_stack_trace_sql_or_message()
    {
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Response.Body = new MemoryStream();
        await Problems.Handle(context, () => throw new InvalidOperationException(
            "42P01: relation \"ledger.mt_doc_posting\" does not exist; select d.data from ledger.mt_doc_posting as d where d.tenant_id = $1"));
        context.Response.StatusCode.ShouldBe(500);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe(Problems.Internal);
        foreach (var leak in new[] { "select", "mt_doc", "42P01", "InvalidOperationException", " at ", ".cs:line" })
            body.ShouldNotContain(leak, Case.Insensitive);
    }

    [Fact]
    public async Task unknown_routes_and_methods_answer_problem_json_with_a_code()
    {
        var client = app.As(Roles.FinanceOfficer, member: null);
        var missing = await client.GetAsync("/api/nothing-here");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.ProblemCode()).ShouldBe(Problems.RouteNotFound);
        var wrongMethod = await client.DeleteAsync("/api/alliances/TST");
        wrongMethod.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await wrongMethod.ProblemCode()).ShouldBe(Problems.MethodNotAllowed);
    }
}
