using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Api.Security;

/// <summary>What a local token grants: one role and its scope.</summary>
public sealed record TokenRequest(string User, string Role, IReadOnlyList<string> Alliances, string? Member = null,
    string? Department = null, TimeSpan? Lifetime = null);

/// <summary>Issues tokens signed with the local key, for development, the demo and tests. Never used with an external provider.</summary>
public sealed class TokenIssuer(AuthSettings settings, TimeProvider clock)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(12);

    public string Issue(TokenRequest request)
    {
        if (!settings.UsesLocalKey)
            throw new InvalidOperationException("Auth:Authority is set: tokens come from that identity provider, not from this host");
        if (Roles.Problem(request.Role, request.Alliances, request.Member, request.Department) is { } problem)
            throw new ArgumentException(problem);

        var claims = new List<Claim> { new(settings.UserClaim, request.User), new(settings.RoleClaim, request.Role) };
        claims.AddRange(request.Alliances.Select(a => new Claim(settings.AllianceClaim, a)));
        if (request.Member is not null) claims.Add(new Claim(settings.MemberClaim, request.Member));
        if (request.Department is not null) claims.Add(new Claim(settings.DepartmentClaim, request.Department));

        var now = clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (request.Lifetime ?? DefaultLifetime),
            SigningCredentials = new SigningCredentials(settings.LocalKey(), SecurityAlgorithms.HmacSha256),
        });
    }
}
