using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Projections.Alliances;
using Marten;

namespace Ledger.Api.Security;

public sealed record ScopeAlliance(string Code, string Name, string DepartmentCode, string Currency, string TimeZone);

/// <summary>Who the token says the caller is, and the alliances it reaches (an auditor's: its department's).</summary>
public sealed record WhoAmIResponse(string User, string Role, IReadOnlyList<ScopeAlliance> Alliances, string? Member, string? Department);

/// <summary>GET /api/me: what a client (the web console) needs to decide which pages to offer; the server still checks every call.</summary>
public static class WhoAmIEndpoint
{
    public static void Map(RouteGroupBuilder api) => api.MapGet("/me", async (HttpContext http, IDocumentStore store) =>
        {
            var caller = http.Caller();
            var reached = (await StreamReads.AllAlliances(store, http.RequestAborted))
                .Where(a => caller.Is(Roles.Auditor) ? a.DepartmentCode == caller.Department : caller.InAlliance(a.Code))
                .OrderBy(a => a.Code, StringComparer.Ordinal)
                .Select(a => new ScopeAlliance(a.Code, a.Name, a.DepartmentCode, a.Currency, a.TimeZone)).ToList();
            return Results.Ok(new WhoAmIResponse(caller.User, caller.Role, reached, caller.Member, caller.Department));
        })
        .RequireAuthorization(Policies.Self).WithName("WhoAmI").WithTags("Security");
}
