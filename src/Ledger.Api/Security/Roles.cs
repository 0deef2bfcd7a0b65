using System.Security.Claims;

namespace Ledger.Api.Security;

/// <summary>The five roles a token can carry (one per token).</summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string FinanceOfficer = "finance-officer";
    public const string Service = "service";
    public const string Member = "member";
    public const string Auditor = "auditor";

    public static readonly IReadOnlyList<string> All = [Operator, FinanceOfficer, Service, Member, Auditor];

    /// <summary>The scope claim a role needs: alliances for all but the auditor, a member code for a member, a department for an auditor.</summary>
    public static string? Problem(string role, IReadOnlyCollection<string> alliances, string? member, string? department) => role switch
    {
        Operator or FinanceOfficer or Service when alliances.Count == 0 => $"a {role} token needs at least one alliance",
        Member when alliances.Count != 1 || string.IsNullOrEmpty(member) => "a member token needs exactly one alliance and a member",
        Auditor when string.IsNullOrEmpty(department) => "an auditor token needs a department",
        Operator or FinanceOfficer or Service or Member or Auditor => null,
        _ => $"unknown role '{role}': use one of {string.Join(", ", All)}",
    };
}

/// <summary>
/// Who is calling, read from the token's claims: the user (recorded on every event), one role, and its scope.
/// An alliance scope of "*" means every alliance (meant for operators).
/// </summary>
public sealed record Caller(string User, string Role, IReadOnlySet<string> Alliances, string? Member, string? Department)
{
    public const string AnyAlliance = "*";

    public bool InAlliance(string alliance) => Alliances.Contains(AnyAlliance) || Alliances.Contains(alliance);

    public bool Is(string role) => Role == role;

    /// <summary>The caller of a token that passed validation, or null when its claims do not make one role with its scope.</summary>
    public static Caller? From(ClaimsPrincipal principal, AuthSettings settings)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        var roles = principal.FindAll(settings.RoleClaim).Select(c => c.Value).Distinct().ToList();
        if (roles.Count != 1) return null;
        var user = principal.FindFirst(settings.UserClaim)?.Value;
        if (string.IsNullOrEmpty(user)) return null;
        var alliances = principal.FindAll(settings.AllianceClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var member = principal.FindFirst(settings.MemberClaim)?.Value;
        var department = principal.FindFirst(settings.DepartmentClaim)?.Value;
        return Roles.Problem(roles[0], alliances, member, department) is null
            ? new Caller(user, roles[0], alliances, roles[0] == Roles.Member ? member : null, roles[0] == Roles.Auditor ? department : null)
            : null;
    }
}
