using System.Text.Json;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Marten;

namespace Ledger.Api.Audit;

public sealed record ChainHeadResponse(long Sequence, string Hash);

/// <summary>The figure check: the read models compared, and the first table, key and column that differs from what the events give.</summary>
public sealed record FiguresResponse(bool Intact, IReadOnlyList<string> Compared, string? Table, string? Key, string? Column);

/// <summary>A chain head with the database whose events it links (one chain per ledger database).</summary>
public sealed record DatabaseChainHeadResponse(string Database, long Sequence, string Hash);

/// <summary>What verification found; <c>differs</c> names the fields of a changed event that are not as chained.</summary>
public sealed record VerificationResponse(bool Intact, long CheckedUpTo, long Events, long? FirstMismatchSequence, string? Problem,
    IReadOnlyList<string>? Differs = null, bool? CheckpointMatches = null, FiguresResponse? Figures = null)
{
    public static VerificationResponse Of(ChainVerification v) =>
        new(v.Intact, v.CheckedUpTo, v.Events, v.FirstMismatchSequence, v.Problem, v.Differs, v.CheckpointMatches);
}

public sealed record EventResponse(
    long Sequence, Guid EventId, string Alliance, string Stream, long StreamVersion, string EventType, DateTimeOffset RecordedAt,
    string? RecordedBy, string? RecordedByRole, JsonElement Data, ChainHeadResponse? Chain, string? CorrelationId = null);

/// <summary>The auditor's proof: the chain's head, a full verification, and any event by sequence or id with its link.</summary>
public static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");

        // ?database=NAME picks the chain of one ledger database (see GET /api/audit/digests); the main one by default.
        audit.MapGet("/digest", async (string? database, AuditChains chains, HttpContext http) =>
            {
                var head = await Chain(chains, database).Head(http.RequestAborted);
                return Results.Ok(new ChainHeadResponse(head.Sequence, head.Hash));
            })
            .RequireAuthorization(Policies.ReadAudit).WithName("GetAuditDigest");

        audit.MapGet("/digests", async (AuditChains chains, HttpContext http) =>
            {
                var heads = new List<DatabaseChainHeadResponse>();
                foreach (var (name, chain) in chains.All)
                {
                    var head = await chain.Head(http.RequestAborted);
                    heads.Add(new DatabaseChainHeadResponse(name, head.Sequence, head.Hash));
                }
                return Results.Ok(heads);
            })
            .RequireAuthorization(Policies.ReadAudit).WithName("GetAuditDigests");

        // ?figures=true also recomputes every read model from the verified events and compares them (slow: a rebuild in a scratch schema).
        audit.MapGet("/verification", async (string? database, bool? figures, AuditChains chains, LedgerDatabases databases, IDocumentStore store,
                HttpContext http) =>
            {
                var v = await Chain(chains, database).Verify(http.RequestAborted);
                var response = VerificationResponse.Of(v);
                if (figures != true || !v.Intact) return Results.Ok(response);
                var f = await FigureCheck.Run(store, databases.ConnectionStrings[database ?? LedgerDatabases.Main], http.RequestAborted);
                return Results.Ok(response with
                {
                    Intact = f.Intact,
                    Problem = f.Problem,
                    Figures = new FiguresResponse(f.Intact, f.Compared, f.Table, f.Key, f.Column),
                });
            })
            .RequireAuthorization(Policies.ReadAudit).WithName("VerifyAuditChain");

        // What this node's own verification found last, per database (it runs by itself: every new link, and a full pass on a schedule).
        audit.MapGet("/status", (AuditStatus status) => Results.Ok(status.All))
            .RequireAuthorization(Policies.ReadAudit).WithName("GetAuditStatus");

        // Verification against a checkpoint the auditor kept (the receipt file, as downloaded).
        audit.MapPost("/verification", async (Checkpoint checkpoint, AuditChains chains, HttpContext http) =>
                Results.Ok(VerificationResponse.Of(await Chain(chains, checkpoint.Database).VerifyAgainst(checkpoint, http.RequestAborted))))
            .RequireAuthorization(Policies.ReadAudit).WithName("VerifyAuditChainAgainstCheckpoint");

        // Checkpoints: issued on a schedule (Ledger:Audit:CheckpointMinutes) and on demand; each is a small receipt to keep.
        audit.MapGet("/checkpoints", async (string? database, AuditChains chains, HttpContext http) =>
                Results.Ok(await Chain(chains, database).IssuedCheckpoints(database ?? LedgerDatabases.Main, 100, http.RequestAborted)))
            .RequireAuthorization(Policies.ReadAudit).WithName("ListAuditCheckpoints");

        audit.MapPost("/checkpoints", async (string? database, CheckpointIssuer issuer, HttpContext http) =>
            {
                var name = database ?? LedgerDatabases.Main;
                var checkpoint = await issuer.Issue(name, http.RequestAborted);
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"alliance-ledger-checkpoint-{name}-{checkpoint.Sequence}.json\"";
                return Results.Ok(checkpoint);
            })
            .RequireAuthorization(Policies.ReadAudit).WithName("IssueAuditCheckpoint");
    }

    private static AuditChainWriter Chain(AuditChains chains, string? database) =>
        chains.Named(database ?? LedgerDatabases.Main) ?? throw new Domain.NotFound(AuditCodes.DatabaseMustExist, $"there is no ledger database named {database}");

    public static void MapAlliance(RouteGroupBuilder alliance)
    {
        alliance.MapGet("/events/{sequence:long}", (string alliance, long sequence, HttpContext http, IDocumentStore store, AuditChains chains) =>
                Event(alliance, e => e.Sequence == sequence, $"event {sequence}", http, store, chains.For(alliance)))
            .RequireAuthorization(Policies.ReadEvent).WithName("GetEventBySequence").WithTags("Audit");

        alliance.MapGet("/events/by-id/{eventId:guid}", (string alliance, Guid eventId, HttpContext http, IDocumentStore store, AuditChains chains) =>
                Event(alliance, e => e.Id == eventId, $"event {eventId}", http, store, chains.For(alliance)))
            .RequireAuthorization(Policies.ReadEvent).WithName("GetEventById").WithTags("Audit");
    }

    private static async Task<IResult> Event(string alliance, System.Linq.Expressions.Expression<Func<JasperFx.Events.IEvent, bool>> which, string what,
        HttpContext http, IDocumentStore store, AuditChainWriter chain)
    {
        await using var session = store.QuerySession(alliance);
        await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
        // Marten's tombstones (placeholders under the sequence numbers of a failed append) are not events of the ledger.
        var e = await session.Events.QueryAllRawEvents().Where(which).Where(e => e.EventTypeName != AuditChain.TombstoneType)
            .FirstOrDefaultAsync(http.RequestAborted);
        if (e is null)
            throw new Domain.NotFound(AuditCodes.EventMustExist, $"{what} does not exist in {alliance}");
        // A member sees the events behind its own statement lines, and no others (answered as if they did not exist).
        var caller = http.Caller();
        if (caller.Is(Roles.Member))
        {
            var account = Domain.Ledger.Account.Member(caller.Member!);
            if (!await session.Query<Projections.Ledger.Posting>().AnyAsync(p => p.Account == account && p.Sequence == e.Sequence, http.RequestAborted))
                throw new Domain.NotFound(AuditCodes.EventMustExist, $"{what} does not exist in {alliance}");
        }
        var link = await chain.At(e.Sequence, http.RequestAborted);
        var data = JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), JsonOptions);
        return Results.Ok(new EventResponse(e.Sequence, e.Id, alliance, e.StreamKey ?? "", e.Version, e.EventTypeName, e.Timestamp, e.UserName,
            LedgerMetadata.Role(e), data, link is { } l && l.Sequence == e.Sequence ? new ChainHeadResponse(l.Sequence, l.Hash) : null, e.CorrelationId));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

public static class AuditCodes
{
    public const string EventMustExist = "event_must_exist";
    public const string DatabaseMustExist = "database_must_exist";
}
