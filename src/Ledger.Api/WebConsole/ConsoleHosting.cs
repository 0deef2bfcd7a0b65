using Ledger.Api.Security;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Ledger.Api.WebConsole;

/// <summary>The "Console" configuration section: where the built web console lives and how it signs users in.</summary>
public sealed class ConsoleSettings
{
    /// <summary>The folder of the built console (src/Ledger.Console's build output, copied beside the API's dll).</summary>
    public string Root { get; set; } = Path.Combine(AppContext.BaseDirectory, "console");

    /// <summary>The OpenID Connect client id of the console (a public client with PKCE); with Auth:Authority, the console signs in there.</summary>
    public string? OidcClientId { get; set; }

    /// <summary>Scopes the console asks the identity provider for.</summary>
    public string OidcScope { get; set; } = "openid profile";

    /// <summary>Whether the sign-in page also takes a pasted token (always with the local key; opt-in with an authority).</summary>
    public bool AllowTokenPaste { get; set; } = true;
}

/// <summary>What the console needs to know before anyone signs in (served anonymously as /console/config.json).</summary>
public sealed record ConsoleConfig(bool TokenPaste, ConsoleOidc? Oidc);

public sealed record ConsoleOidc(string Authority, string ClientId, string Scope);

/// <summary>
/// Serves the web console on the API's own origin under /console/: the built files (hashed assets cached for a
/// year, the page itself revalidated), its own content security policy (scripts, styles and requests from this origin
/// only, plus the identity provider), and its configuration. The console calls the same API as everyone else, so the
/// server enforces every role and scope, not the page.
/// </summary>
public static class ConsoleHosting
{
    public const string Path = "/console";

    public static void AddConsole(this IServiceCollection services) =>
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Console").Get<ConsoleSettings>() ?? new ConsoleSettings());

    /// <summary>The policy for the console's pages: nothing inline, nothing from elsewhere but the identity provider.</summary>
    public static string ContentSecurityPolicy(AuthSettings auth)
    {
        var provider = Origin(auth.Authority);
        var connect = provider is null ? "'self'" : $"'self' {provider}";
        return $"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; " +
               $"form-action 'self'{(provider is null ? "" : " " + provider)}; base-uri 'none'; frame-ancestors 'none'";
    }

    public static bool IsConsole(PathString path) => path.StartsWithSegments(Path);

    private static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Authority) : null;

    public static void UseConsole(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ConsoleSettings>();
        var auth = app.Services.GetRequiredService<AuthSettings>();

        app.MapGet("/", () => Results.Redirect($"{Path}/")).ExcludeFromDescription().AllowAnonymous();
        app.MapGet($"{Path}/config.json", () => Results.Ok(Config(settings, auth))).ExcludeFromDescription().AllowAnonymous();

        if (!Directory.Exists(settings.Root))
        {
            // Without a build (no Node.js where it was built) the API still serves; the console's address says why it is missing.
            app.MapGet($"{Path}/{{**rest}}", () => Infrastructure.Problems.Result(404, "console_not_built",
                    $"the web console is not built: run 'npm ci && npm run build' in src/Ledger.Console (looked in {settings.Root})"))
                .ExcludeFromDescription().AllowAnonymous();
            return;
        }
        var files = new PhysicalFileProvider(System.IO.Path.GetFullPath(settings.Root));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                // Built assets carry a content hash in their names, so they never change; the page and config do.
                context.Context.Response.Headers.CacheControl = context.Context.Request.Path.StartsWithSegments($"{Path}/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });
    }

    public static ConsoleConfig Config(ConsoleSettings settings, AuthSettings auth) => new(
        auth.UsesLocalKey || settings.AllowTokenPaste,
        !auth.UsesLocalKey && !string.IsNullOrEmpty(settings.OidcClientId)
            ? new ConsoleOidc(auth.Authority!, settings.OidcClientId, settings.OidcScope)
            : null);
}
