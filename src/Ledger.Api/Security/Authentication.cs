using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Api.Security;

public static class Authentication
{
    /// <summary>
    /// JWT bearer tokens: from the configured OpenID Connect authority, or signed with the local key. Claims keep the
    /// names they have in the token (no mapping to .NET claim URIs), so the claim names in <see cref="AuthSettings"/> apply.
    /// </summary>
    public static void AddLedgerAuth(this IServiceCollection services)
    {
        // Read when first needed (not while the host is built), so test hosts and environment overrides apply.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings());
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AllianceDirectory>();
        services.AddSingleton<IAuthorizationHandler, RoleAndScopeHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResults>();
        services.AddAuthorization(Policies.Add);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<AuthSettings, TimeProvider>((o, settings, clock) =>
        {
            o.MapInboundClaims = false;
            o.Audience = settings.Audience;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidAudience = settings.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = settings.UserClaim,
                RoleClaimType = settings.RoleClaim,
            };
            // A host whose clock is moved (Ledger:Clock:Offset) measures a token's lifetime by that clock too, the one
            // that dated its local tokens; otherwise the library's own check stands.
            if (!ReferenceEquals(clock, TimeProvider.System))
                o.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) => Lifetime(clock, notBefore, expires, parameters.ClockSkew);
            if (settings.UsesLocalKey)
            {
                o.TokenValidationParameters.ValidIssuer = settings.Issuer;
                o.TokenValidationParameters.IssuerSigningKey = settings.LocalKey();
                o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            }
            else
            {
                o.Authority = settings.Authority;
                o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                if (!string.IsNullOrEmpty(settings.Issuer) && settings.Issuer != new AuthSettings().Issuer)
                    o.TokenValidationParameters.ValidIssuer = settings.Issuer;
            }
        });
    }

    private static bool Lifetime(TimeProvider clock, DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (notBefore is { } from && from > now + skew)
            throw new SecurityTokenNotYetValidException($"the token is not valid before {from:O}") { NotBefore = from };
        if (expires is { } until && until < now - skew)
            throw new SecurityTokenExpiredException($"the token expired at {until:O}") { Expires = until };
        return true;
    }
}
