using System.Net;
using System.Security.Claims;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Api.Tests.Security;

public class AuthenticationTests(LedgerApp<AuthenticationTests> app) : IClassFixture<LedgerApp<AuthenticationTests>>, IAsyncLifetime
{
    // Besides health and the OpenAPI document: the web console's address, its sign-in configuration, and the answer a
    // host without a built console gives under /console/ (its pages are static files, holding no data).
    private static readonly string[] Anonymous = ["/health", "/health/live", "/health/ready", "/openapi/{documentName}.json", "/", "/console/config.json", "/console/{**rest}"];

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    [Fact]
    public void every_endpoint_names_its_policy_except_health_and_the_openapi_document()
    {
        var endpoints = Endpoints();
        endpoints.Count.ShouldBeGreaterThan(20);
        foreach (var e in endpoints)
        {
            var route = e.RoutePattern.RawText!;
            if (Anonymous.Contains(route))
            {
                e.Metadata.GetMetadata<IAllowAnonymous>().ShouldNotBeNull(route);
                continue;
            }
            e.Metadata.GetMetadata<IAllowAnonymous>().ShouldBeNull(route);
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            policies.ShouldHaveSingleItem($"{route} must name one policy");
            Policies.RolesOf.Keys.ShouldContain(policies[0]!, route);
        }
    }

    [Fact]
    public async Task no_mapped_endpoint_answers_an_anonymous_caller()
    {
        var client = app.CreateClient();
        var before = await app.EventCount();
        foreach (var e in Endpoints())
        {
            var route = e.RoutePattern.RawText!;
            if (Anonymous.Contains(route)) continue;
            var url = "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p2 => p2.Name == "alliance" ? "TST" : "X",
                _ => "",
            }))));
            foreach (var method in e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                var response = await client.SendAsync(request);
                response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {url}");
                (await response.ProblemCode()).ShouldBe(AccessCodes.AuthenticationRequired);
                response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
            }
        }
        (await app.EventCount()).ShouldBe(before);
        (await client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private string Token(Action<SecurityTokenDescriptor> change, string? key = null)
    {
        var now = app.Now.UtcDateTime; // the host's clock, which measures the lifetime
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "alliance-ledger-local",
            Audience = "alliance-ledger",
            Subject = new ClaimsIdentity([new Claim("sub", "fo"), new Claim("role", Roles.FinanceOfficer), new Claim("alliance", "TST")]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(key ?? LedgerApp<AuthenticationTests>.SigningKey)),
                SecurityAlgorithms.HmacSha256),
        };
        change(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    [Fact]
    public async Task a_well_made_token_is_accepted_and_the_same_token_spoiled_in_any_way_is_refused_with_401()
    {
        (await app.WithToken(Token(_ => { })).GetAsync("/api/alliances/TST/balances")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var spoiled = new Dictionary<string, string>
        {
            ["another audience"] = Token(d => d.Audience = "someone-else"),
            ["another issuer"] = Token(d => d.Issuer = "https://evil.example"),
            ["another key"] = Token(_ => { }, otherKey),
            ["expired"] = Token(d => { d.IssuedAt = app.Now.UtcDateTime.AddHours(-3); d.NotBefore = app.Now.UtcDateTime.AddHours(-3); d.Expires = app.Now.UtcDateTime.AddHours(-2); }),
            ["not yet valid"] = Token(d => { d.NotBefore = app.Now.UtcDateTime.AddHours(2); d.Expires = app.Now.UtcDateTime.AddHours(3); }),
            ["unsigned"] = new JsonWebTokenHandler().CreateToken("""{"sub":"fo","role":"finance-officer","alliance":"TST","iss":"alliance-ledger-local","aud":"alliance-ledger","exp":4102444800}"""),
            ["malformed"] = "not.a.token",
            ["garbage"] = "%%%",
            ["tampered"] = Tamper(Token(_ => { })),
        };
        // Each 401 says why, as its WWW-Authenticate header does.
        var says = new Dictionary<string, string>
        {
            ["another audience"] = "audience",
            ["another issuer"] = "issuer",
            ["another key"] = "signature",
            ["expired"] = "expired",
            ["not yet valid"] = "not valid yet",
            ["unsigned"] = "signature",
            ["malformed"] = "not",
            ["garbage"] = "not",
            ["tampered"] = "signature",
        };
        foreach (var (why, token) in spoiled)
        {
            var response = await app.WithToken(token).GetAsync("/api/alliances/TST/balances");
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, why);
            var problem = await response.Json();
            problem.GetProperty("code").GetString().ShouldBe(AccessCodes.AuthenticationRequired, why);
            var detail = problem.GetProperty("detail").GetString()!;
            detail.ShouldContain(says[why], Case.Insensitive, why);
            detail.ShouldNotContain("send a bearer token", Case.Insensitive, why);
        }
        var none = await app.WithToken(null).GetAsync("/api/alliances/TST/balances");
        (await none.Json()).GetProperty("detail").GetString()!.ShouldContain("send a bearer token");
    }

    // Swaps the payload for one that claims the operator role, keeping the original signature.
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace(Roles.FinanceOfficer, Roles.Operator);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    [Fact]
    public async Task a_valid_token_without_one_role_and_its_scope_is_refused_with_403()
    {
        var noMember = Token(d => d.Subject = new ClaimsIdentity([new Claim("sub", "m"), new Claim("role", Roles.Member), new Claim("alliance", "TST")]));
        var twoRoles = Token(d => d.Subject = new ClaimsIdentity([new Claim("sub", "x"), new Claim("role", Roles.Auditor), new Claim("role", Roles.FinanceOfficer), new Claim("alliance", "TST")]));
        var unknownRole = Token(d => d.Subject = new ClaimsIdentity([new Claim("sub", "x"), new Claim("role", "admin"), new Claim("alliance", "TST")]));
        foreach (var token in new[] { noMember, twoRoles, unknownRole })
        {
            var response = await app.WithToken(token).GetAsync("/api/alliances/TST");
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await response.ProblemCode()).ShouldBe(AccessCodes.TokenScopeInvalid);
        }
    }

    [Fact]
    public async Task every_answer_carries_the_security_headers_including_errors()
    {
        var finance = app.As(Roles.FinanceOfficer);
        foreach (var response in new[]
                 {
                     await finance.GetAsync("/api/alliances/TST"),
                     await finance.GetAsync("/api/alliances/TST/loans/NOPE"),
                     await app.CreateClient().GetAsync("/api/alliances/TST"),
                     await app.CreateClient().GetAsync("/health"),
                 })
        {
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
            response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("default-src 'none'");
            response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
            response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task events_record_the_user_and_role_and_the_statement_shows_them()
    {
        var service = app.As(Roles.Service);
        (await service.Post($"{TestAlliance.A}/loans", new { loanId = "WHO", borrower = "XZMU", lender = "SEU", title = "t", at = "2026-10-05T09:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        (await app.As(Roles.Member, member: "SEU").Post($"{TestAlliance.A}/loans/WHO/shipped", new { at = "2026-10-06T09:00:00+08:00" }))
            .EnsureSuccessStatusCode();
        var statement = await (await app.As(Roles.Member, member: "SEU").GetAsync($"{TestAlliance.A}/members/SEU/statement")).Json();
        var line = statement.GetProperty("postings").EnumerateArray().Single(p => p.GetProperty("stream").GetString() == "loan:WHO");
        line.GetProperty("recordedBy").GetString().ShouldBe("test-member-SEU");
        line.GetProperty("recordedByRole").GetString().ShouldBe(Roles.Member);
    }
}
