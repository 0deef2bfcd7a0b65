using System.Globalization;
using System.Threading.RateLimiting;
using Ledger.Api.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;

namespace Ledger.Api.Security;

/// <summary>The "Ledger:Limits" configuration section.</summary>
public sealed class LimitSettings
{
    /// <summary>Largest request body accepted; larger ones get 413 before anything reads them.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Requests per second each caller (token subject, or address when anonymous) may make on average.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Requests a caller may make at once before the average applies.</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>An endpoint's own body limit, above or below the configured one (a COUNTER upload takes megabytes).</summary>
public sealed record BodySizeLimit(long Bytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => Bytes;
}

/// <summary>What every response carries, and what every request must respect, before any endpoint runs.</summary>
public static class Hardening
{
    public const string RateLimited = "rate_limited";
    public const string BodyTooLarge = "body_too_large";

    /// <summary>
    /// Headers on every answer, errors and 401s included. The API serves JSON only, so nothing may frame or run it; the
    /// web console's pages get their own policy (its own scripts and styles, requests to this origin and the identity provider).
    /// </summary>
    public static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h.ContentSecurityPolicy = WebConsole.ConsoleHosting.IsConsole(context.Request.Path)
                ? WebConsole.ConsoleHosting.ContentSecurityPolicy(context.RequestServices.GetRequiredService<AuthSettings>())
                : "default-src 'none'; frame-ancestors 'none'";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Resource-Policy"] = "same-origin";
            h["Permissions-Policy"] = "()";
            if (!h.ContainsKey("Cache-Control")) h.CacheControl = "no-store";
            if (context.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next();
    }

    /// <summary>
    /// 413 for a body over the limit: at once when Content-Length says so, else while it is read (chunked bodies are
    /// counted; the server's own limit is set too where the server has one).
    /// </summary>
    public static async Task BodyLimit(HttpContext context, Func<Task> next)
    {
        var maxBytes = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                       ?? context.RequestServices.GetRequiredService<LimitSettings>().MaxBodyBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            await Problems.Result(413, BodyTooLarge, $"the request body is larger than {maxBytes} bytes").ExecuteAsync(context);
            return;
        }
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = maxBytes;
        if (context.Request.ContentLength is null && (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method)))
        {
            // Read a body of unknown length up to the limit; command bodies are small, so buffering costs little.
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    await Problems.Result(413, BodyTooLarge, $"the request body is larger than {maxBytes} bytes").ExecuteAsync(context);
                    return;
                }
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            context.Request.Body = buffer;
            context.Request.ContentLength = buffer.Length;
        }
        await next();
    }

    /// <summary>A token bucket per caller: the token's subject when there is one, else the client address.</summary>
    public static void AddLimits(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Ledger:Limits").Get<LimitSettings>() ?? new LimitSettings());
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<LimitSettings>((k, limits) =>
            k.Limits.MaxRequestBodySize = limits.MaxBodyBytes);
        services.AddRateLimiter(o =>
    {
        o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => Bucket(context.RequestServices.GetRequiredService<LimitSettings>())));
        o.OnRejected = async (rejected, ct) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Result(429, RateLimited, $"too many requests from this caller; retry after {seconds} s")
                .ExecuteAsync(rejected.HttpContext);
        };
    });
    }

    private static TokenBucketRateLimiterOptions Bucket(LimitSettings limits) => new()
    {
        TokenLimit = limits.Burst,
        TokensPerPeriod = limits.PermitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string PartitionKey(HttpContext context)
    {
        var subject = context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirst(context.RequestServices.GetRequiredService<AuthSettings>().UserClaim)?.Value
            : null;
        return subject is not null ? $"user:{subject}" : $"ip:{context.Connection.RemoteIpAddress}";
    }
}
