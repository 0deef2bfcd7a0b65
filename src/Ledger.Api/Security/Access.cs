using System.Collections.Concurrent;
using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Projections.Alliances;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Ledger.Api.Security;

/// <summary>
/// The named policies every endpoint declares, each a list of roles. The one handler below also checks the scope of
/// the route: the caller's alliances (an auditor's: the alliances of its department) and, for a member, its own code.
/// What depends on the stream (is this member the loan's borrower?) is checked on the command path (<see cref="Parties"/>).
/// </summary>
public static class Policies
{
    public const string Self = "self";
    public const string Administer = "administer";
    public const string ReadAlliance = "read-alliance";
    public const string RecordActivity = "record-activity";
    public const string RecordCharges = "record-charges";
    public const string Correct = "correct";
    public const string ReadActivity = "read-activity";
    public const string ReadMemberLedger = "read-member-ledger";
    public const string ReadAllianceLedger = "read-alliance-ledger";
    public const string ReadUsage = "read-usage";
    public const string ManageFinance = "manage-finance";
    public const string ReadFinance = "read-finance";
    public const string ReadSettlement = "read-settlement";
    public const string ReadEvent = "read-event";
    public const string ReadAudit = "read-audit";
    public const string ReadFunding = "read-funding";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Self] = [Roles.Operator, Roles.FinanceOfficer, Roles.Service, Roles.Member, Roles.Auditor],
        [Administer] = [Roles.Operator],
        [ReadAlliance] = [Roles.Operator, Roles.FinanceOfficer, Roles.Service, Roles.Member, Roles.Auditor],
        [RecordActivity] = [Roles.FinanceOfficer, Roles.Service, Roles.Member],
        [RecordCharges] = [Roles.FinanceOfficer, Roles.Service],
        [Correct] = [Roles.FinanceOfficer],
        [ReadActivity] = [Roles.FinanceOfficer, Roles.Service, Roles.Member, Roles.Auditor],
        [ReadMemberLedger] = [Roles.FinanceOfficer, Roles.Member, Roles.Auditor],
        [ReadAllianceLedger] = [Roles.FinanceOfficer, Roles.Auditor],
        [ReadUsage] = [Roles.FinanceOfficer, Roles.Member, Roles.Auditor],
        [ManageFinance] = [Roles.FinanceOfficer],
        [ReadFinance] = [Roles.FinanceOfficer, Roles.Member, Roles.Auditor],
        [ReadSettlement] = [Roles.FinanceOfficer, Roles.Auditor],
        [ReadEvent] = [Roles.FinanceOfficer, Roles.Auditor, Roles.Member],
        [ReadAudit] = [Roles.Auditor, Roles.FinanceOfficer, Roles.Operator],
        [ReadFunding] = [Roles.Auditor],
    };

    public static void Add(AuthorizationOptions options)
    {
        foreach (var (name, roles) in RolesOf)
            options.AddPolicy(name, p => p.RequireAuthenticatedUser().AddRequirements(new RoleAndScope(roles)));
        // Anything mapped without a policy is closed, not open; an unknown route answers 404 to a signed-in caller.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new NoPolicyNoAccess()).Build();
    }
}

public static class AccessCodes
{
    public const string AuthenticationRequired = "authentication_required";
    public const string TokenScopeInvalid = "token_scope_invalid";
    public const string RoleNotPermitted = "role_not_permitted";
    public const string AllianceOutOfScope = "alliance_out_of_scope";
    public const string MemberOutOfScope = "member_out_of_scope";
    public const string PartyNotPermitted = "party_not_permitted";
    public const string DepartmentOutOfScope = "department_out_of_scope";
}

/// <summary>A 403 decided inside an endpoint (the body or the stream named something outside the caller's scope).</summary>
public sealed class Forbidden(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed record RoleAndScope(IReadOnlyList<string> Roles) : IAuthorizationRequirement;

/// <summary>
/// The fallback: a mapped route without a policy refuses everyone; a request that matched no route goes on to its
/// 404, or to routing's 405 (which is not a route endpoint).
/// </summary>
public sealed class NoPolicyNoAccess : AuthorizationHandler<NoPolicyNoAccess>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, NoPolicyNoAccess requirement)
    {
        if (context.Resource is HttpContext http && http.GetEndpoint() is not RouteEndpoint) context.Succeed(requirement);
        else context.Fail(new AuthorizationFailureReason(this, $"{AccessCodes.RoleNotPermitted}|this endpoint declares no policy, so nobody may use it"));
        return Task.CompletedTask;
    }
}

/// <summary>Checks role, alliance scope and member scope for every policy; a failure names its code.</summary>
public sealed class RoleAndScopeHandler(AuthSettings settings, AllianceDirectory directory) : AuthorizationHandler<RoleAndScope>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleAndScope requirement)
    {
        var caller = Caller.From(context.User, settings);
        if (caller is null)
        {
            Fail(context, AccessCodes.TokenScopeInvalid, "the token must carry one role with its scope (alliance, member or department)");
            return;
        }
        if (!requirement.Roles.Contains(caller.Role))
        {
            Fail(context, AccessCodes.RoleNotPermitted, $"the {caller.Role} role may not do this");
            return;
        }
        var http = context.Resource as HttpContext;
        if (http?.GetRouteValue("alliance") is string alliance && !await directory.InScope(caller, alliance, http.RequestAborted))
        {
            // The same answer whether or not the alliance exists.
            Fail(context, AccessCodes.AllianceOutOfScope, $"alliance {alliance} is outside this token's scope");
            return;
        }
        if (http?.GetRouteValue("department") is string department && !(caller.Is(Roles.Auditor) && caller.Department == department))
        {
            Fail(context, AccessCodes.DepartmentOutOfScope, $"department {department} is outside this token's scope");
            return;
        }
        if (caller.Is(Roles.Member) && http?.GetRouteValue("member") is string member && member != caller.Member)
        {
            Fail(context, AccessCodes.MemberOutOfScope, $"a member token of {caller.Member} may not read {member}");
            return;
        }
        context.Succeed(requirement);
    }

    private void Fail(AuthorizationHandlerContext context, string code, string detail) =>
        context.Fail(new AuthorizationFailureReason(this, $"{code}|{detail}"));
}

/// <summary>Which department each alliance reports to (fixed at founding, so cached once seen).</summary>
public sealed class AllianceDirectory(IDocumentStore store)
{
    private readonly ConcurrentDictionary<string, string> departments = new(StringComparer.Ordinal);

    public async Task<bool> InScope(Caller caller, string alliance, CancellationToken ct)
    {
        if (!caller.Is(Roles.Auditor)) return caller.InAlliance(alliance);
        if (!departments.TryGetValue(alliance, out var department))
        {
            await using var session = store.QuerySession(alliance);
            var view = await session.LoadAsync<AllianceView>(StreamKeys.Alliance, ct);
            if (view?.State is null) return false;
            department = departments.GetOrAdd(alliance, view.State.DepartmentCode);
        }
        return department == caller.Department;
    }
}

/// <summary>401 and 403 as problem+json with a stable code, like every other failure.</summary>
public sealed class ProblemAuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged)
        {
            await context.ChallengeAsync(); // sets 401 and WWW-Authenticate
            await Problems.Result(401, AccessCodes.AuthenticationRequired, await AuthenticationFailure(context)).ExecuteAsync(context);
            return;
        }
        if (result.Forbidden)
        {
            var reason = result.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? $"{AccessCodes.RoleNotPermitted}|not permitted";
            var parts = reason.Split('|', 2);
            await Problems.Result(403, parts[0], parts[1]).ExecuteAsync(context);
            return;
        }
        await fallback.HandleAsync(next, context, policy, result);
    }

    /// <summary>Why the bearer token was refused (the handler caches its result, so asking again costs nothing).</summary>
    private static async Task<string> AuthenticationFailure(HttpContext context)
    {
        var failure = (await context.AuthenticateAsync()).Failure;
        if (failure is null && context.Request.Headers.Authorization.Count > 0)
            return "the Authorization header must be: Bearer <token>";
        return failure switch
        {
            null => "send a bearer token: Authorization: Bearer <token>",
            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "the bearer token has expired",
            Microsoft.IdentityModel.Tokens.SecurityTokenNotYetValidException => "the bearer token is not valid yet",
            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidLifetimeException => "the bearer token has expired or is not valid yet",
            Microsoft.IdentityModel.Tokens.SecurityTokenMalformedException => "the bearer token is not a well-formed JWT",
            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "the bearer token is for another audience",
            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "the bearer token is from another issuer",
            Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException or
                Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException => "the bearer token's signature is not valid",
            _ => "the bearer token is not valid",
        };
    }
}

public static class CallerExtensions
{
    public static Infrastructure.Recorder Recorder(this Caller caller) => new(caller.User, caller.Role);

    /// <summary>The authenticated caller; endpoints only run after a policy accepted it.</summary>
    public static Caller Caller(this HttpContext http) =>
        Security.Caller.From(http.User, http.RequestServices.GetRequiredService<AuthSettings>())
        ?? throw new Forbidden(AccessCodes.TokenScopeInvalid, "the token must carry one role with its scope");
}

/// <summary>Which party of a loan or delivery a step belongs to, when a member records it.</summary>
public enum Side { Requester, Supplier, NotAMemberStep }

/// <summary>
/// What a member may do with a stream it takes part in: record the steps of its own side, and see only its own
/// loans and deliveries. A stream the member takes no part in answers 404, exactly as if it did not exist.
/// </summary>
public static class Parties
{
    /// <summary>Checks a member's command against the stream's parties (or, for a new request, the requester it names).</summary>
    public static void MayRecord(Caller caller, Side side, string? newRequester, (string Requester, string Supplier)? parties,
        string notFoundCode, string what)
    {
        if (!caller.Is(Roles.Member)) return;
        if (side == Side.NotAMemberStep)
            throw new Forbidden(AccessCodes.RoleNotPermitted, $"a member may not record this step of {what}");
        if (parties is not { } p)
        {
            if (newRequester is not null && newRequester != caller.Member)
                throw new Forbidden(AccessCodes.MemberOutOfScope, $"a member token of {caller.Member} records requests only as {caller.Member}");
            return; // an unknown stream: the decider answers 404
        }
        var (acting, other) = side == Side.Requester ? (p.Requester, p.Supplier) : (p.Supplier, p.Requester);
        if (caller.Member == acting) return;
        if (caller.Member == other)
            throw new Forbidden(AccessCodes.PartyNotPermitted, $"only {acting} may record this step of {what}");
        throw new NotFound(notFoundCode, $"{what} does not exist");
    }

    public static void MaySee(Caller caller, string requester, string supplier, string notFoundCode, string what)
    {
        if (caller.Is(Roles.Member) && caller.Member != requester && caller.Member != supplier)
            throw new NotFound(notFoundCode, $"{what} does not exist");
    }
}
