using System.Text.Json;
using JasperFx;
using Ledger.Domain;
using Marten.Exceptions;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Turns every failure into RFC 9457 problem+json with a stable <c>code</c>: bad shape 400, unknown thing 404,
/// broken rule 409, stale If-Match 412. Anything unexpected is a 500 that says nothing about the internals.
/// </summary>
public static partial class Problems
{
    public const string RequestInvalid = "request_invalid";
    public const string BodyMalformed = "request_malformed";
    public const string VersionMustMatch = "version_must_match";
    public const string StreamChangedConcurrently = "stream_changed_concurrently";
    public const string Internal = "internal_error";
    public const string MediaTypeUnsupported = "media_type_unsupported";
    public const string RouteNotFound = "route_not_found";
    public const string CounterReportInvalid = "counter_report_invalid";
    public const string StatementIntegrityFailed = "statement_integrity_failed";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string DatabaseUnavailableCode = "database_unavailable";

    /// <summary>503 with Retry-After: the database cannot be reached; a command in flight was not acknowledged, so read before retrying it.</summary>
    private static IResult DatabaseUnavailable(HttpContext context)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Api").LogWarning("the database cannot be reached on {Path}", context.Request.Path);
        return Result(503, DatabaseUnavailableCode, "the ledger's database cannot be reached; retry in a few seconds (read what a command names before sending it again)");
    }

    public static IResult Result(int status, string code, string detail, IDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        return Results.Problem(detail: detail, statusCode: status, title: Title(status), extensions: extensions,
            type: $"https://alliance-ledger.example/problems/{code}");
    }

    private static string Title(int status) => status switch
    {
        400 => "The request is not valid",
        401 => "Authentication is required",
        403 => "Not permitted",
        404 => "Not found",
        409 => "The request conflicts with the ledger's rules",
        412 => "The resource changed since you read it",
        413 => "The request body is too large",
        415 => "The request body is not of a media type this endpoint reads",
        429 => "Too many requests",
        503 => "The ledger is unavailable for a moment",
        _ => "The server could not complete the request",
    };

    /// <summary>Gives the framework's own problem answers (unknown route, wrong method or media type) a code as well.</summary>
    public static void AddCode(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Extensions.ContainsKey("code")) return;
        context.ProblemDetails.Extensions["code"] = context.ProblemDetails.Status switch
        {
            404 => RouteNotFound,
            405 => MethodNotAllowed,
            413 => Security.Hardening.BodyTooLarge,
            415 => MediaTypeUnsupported,
            _ => RequestInvalid,
        };
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            404 => "no such route: see the OpenAPI document at /openapi/v1.json",
            405 => "this route does not take this method",
            415 => "send the body as application/json",
            _ => null,
        };
    }

    /// <summary>Exception handling middleware: the single place where failures become answers.</summary>
    public static async Task Handle(HttpContext context, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var result = ex switch
            {
                Rejected r => Result(409, r.Code, r.Message),
                Domain.Sharing.CounterReportInvalid c => Result(400, CounterReportInvalid, c.Message),
                Security.Forbidden f => Result(403, f.Code, f.Message),
                NotFound n => Result(404, n.Code, n.Message),
                StaleVersion s => Result(412, VersionMustMatch, s.Message),
                BadHttpRequestException { StatusCode: 413 } => Result(413, Security.Hardening.BodyTooLarge, "the request body is too large"),
                UnsupportedMediaType u => Result(415, MediaTypeUnsupported, u.Message),
                BadHttpRequestException { StatusCode: 415 } => Result(415, MediaTypeUnsupported, "send the body as application/json"),
                BadHttpRequestException b => Result(400, BodyMalformed, Describe(b)),
                JsonException j => Result(400, BodyMalformed, Describe(j)),
                _ when IsBadRequestBody(ex) => Result(400, BodyMalformed, "the request body is not valid HTTP framing (a chunk size or length is malformed)"),
                _ when IsDatabaseUnavailable(ex) => DatabaseUnavailable(context),
                ConcurrencyException or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException or ConcurrentUpdateException =>
                    Result(409, StreamChangedConcurrently, "another command changed this stream at the same time; read it again and retry"),
                _ => null,
            };
            if (ex is Settlement.StatementIntegrityFailed integrity)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Api").LogCritical(ex, "statement integrity failed");
                result = Result(500, StatementIntegrityFailed, integrity.Message);
            }
            if (result is null)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Api")
                    .LogError(ex, "unhandled failure on {Path}", context.Request.Path);
                result = Result(500, Internal, "the server failed and the failure was logged; before sending a command again, read what it names: it may have been recorded");
            }
            context.Response.Clear();
            if (result is IStatusCodeHttpResult { StatusCode: 503 }) context.Response.Headers.RetryAfter = "5";
            await result.ExecuteAsync(context);
        }
    }

    // Says where the body went wrong (the JSON path) without naming .NET types or echoing the input back.
    private static string Describe(BadHttpRequestException b) => b.InnerException switch
    {
        JsonException j => Describe(j),
        _ when b.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) => "the body is not valid JSON for this request",
        _ when b.Message.StartsWith("Required parameter", StringComparison.Ordinal) => "the request needs a JSON body",
        _ when b.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
            $"the value of '{BoundName().Match(b.Message).Groups[1].Value}' is not valid",
        _ => b.Message,
    };

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"[^\"]*?(\\w+)\"")]
    private static partial System.Text.RegularExpressions.Regex BoundName();

    private static string Describe(JsonException j) => j.Path is { Length: > 0 } path && path != "$"
        ? Json.Rules.FirstOrDefault(r => j.Message.StartsWith(r, StringComparison.Ordinal)) is { } rule
            ? $"the value at {path} is refused: {rule}"
            : $"the body is not valid JSON for this request at {path}: a value is malformed, of the wrong type, out of range, repeated or not a known field"
        : "the body is not valid JSON for this request: it must be one JSON object with the documented fields";

    /// <summary>
    /// A failure to reach PostgreSQL (connection refused or lost, pool exhausted, a timeout on the wire), as opposed to an
    /// error the server answered with: the request can be retried once the database is back.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is Npgsql.PostgresException p) return p.SqlState is "57P01" or "57P02" or "57P03" or "53300"; // shutdown, crash, starting, too many connections
            if (x is Npgsql.NpgsqlException or System.Net.Sockets.SocketException) return true;
        }
        return false;
    }

    /// <summary>Kestrel's own failure while reading a malformed request body (a chunk size beyond 64 bits, say).</summary>
    private static bool IsBadRequestBody(Exception e) =>
        e is IOException && e.TargetSite?.DeclaringType?.Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true;
}

/// <summary>The If-Match version did not match the stream's current version.</summary>
public sealed class StaleVersion(long expected, long actual)
    : Exception($"If-Match names version {expected} but the stream is at version {actual}");
