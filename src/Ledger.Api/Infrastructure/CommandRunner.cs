using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Projections;
using Ledger.Projections.Alliances;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>The state of a stream after a command, and whether the command recorded anything.</summary>
public sealed record CommandResult<TState>(TState State, long Version, int Appended);

/// <summary>Who records the events of a command: stored as the events' user name and role header.</summary>
public sealed record Recorder(string User, string Role);

/// <summary>
/// The one command path, used by every endpoint and by the demo loader: read the alliance and the stream's state,
/// let the pure decider choose the events, append them with the expected version, save in one transaction (events
/// and inline projections together). A repeated command decides no events and answers with the current state.
/// </summary>
public sealed class CommandRunner(IDocumentStore store, Projections.Audit.SealKeys seals)
{
    public Task<CommandResult<TState>> Run<TView, TState>(
        Recorder recorder, string alliance, string streamKey, long? expectedVersion,
        Func<TState?, Alliance?, IReadOnlyList<object>> decide, CancellationToken ct)
        where TView : StateView<TState>
        where TState : class =>
        Run<TView, TState>(recorder, alliance, streamKey, expectedVersion, SettlementLock.Shared,
            (_, state, a) => Task.FromResult(decide(state, a)), ct);

    /// <summary>
    /// The general form: <paramref name="lockMode"/> says how the command holds the alliance's settlement lock (every
    /// command shares it; closing a period holds it alone), and the decision may read the store in the same transaction.
    /// </summary>
    public Task<CommandResult<TState>> Run<TView, TState>(
        Recorder recorder, string alliance, string streamKey, long? expectedVersion, SettlementLock lockMode,
        Func<IDocumentSession, TState?, Alliance?, Task<IReadOnlyList<object>>> decide, CancellationToken ct)
        where TView : StateView<TState>
        where TState : class =>
        Operations.LedgerTelemetry.Measure(alliance, streamKey,
            () => DecidedAgainOnOverspend(() => RunOnce<TView, TState>(recorder, alliance, streamKey, expectedVersion, lockMode, decide, ct)),
            result => result.Appended > 0 ? "recorded" : "unchanged");

    /// <summary>
    /// Grants are read without locks, so two commands may decide on the same funds; the running total's constraint
    /// lets only one of them commit. The other is decided again on the new figure (it then pays less or is refused).
    /// </summary>
    public static async Task<T> DecidedAgainOnOverspend<T>(Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (Exception e) when (Projections.Funding.GrantFunds.IsOverspend(e) && attempt < MaxDecisions)
            {
            }
        }
    }

    /// <summary>How often a command is decided before an overspend is given up as a 500 (each retry sees a smaller figure, so two suffice in practice).</summary>
    public const int MaxDecisions = 10;

    private async Task<CommandResult<TState>> RunOnce<TView, TState>(
        Recorder recorder, string alliance, string streamKey, long? expectedVersion, SettlementLock lockMode,
        Func<IDocumentSession, TState?, Alliance?, Task<IReadOnlyList<object>>> decide, CancellationToken ct)
        where TView : StateView<TState>
        where TState : class
    {
        await using var session = await Begin(recorder, alliance, ct);

        // The settlement lock, the alliance and the stream's state in one round trip. The view's version is the
        // stream's (a stream holds only its own events), so the append states it and Marten refuses the commit if
        // another command got there first.
        var batch = session.CreateBatchQuery();
        var locked = SettlementLocks.Take(batch, alliance, lockMode);
        var allianceView = batch.Load<AllianceView>(StreamKeys.Alliance);
        var streamView = batch.Load<TView>(streamKey);
        await batch.Execute(ct);
        if ((await locked) is not [{ Length: > 0 } transactionId] || !transactionId.All(char.IsAsciiDigit))
            throw new InvalidOperationException("the settlement lock and the transaction id were not taken");
        var (allianceState, current) = ((await allianceView)?.State, await streamView);
        var currentVersion = current?.Version ?? 0;
        if (expectedVersion is { } expected && expected != currentVersion)
            throw new StaleVersion(expected, currentVersion);

        var events = await decide(session, current?.State, allianceState);
        if (events.Count == 0)
        {
            // Nothing new: a retry answers with what is recorded.
            var unchanged = current ?? throw new InvalidOperationException("a decider returned no events for a new stream");
            return new CommandResult<TState>(unchanged.State!, unchanged.Version, 0);
        }

        if (current is null) session.Events.StartStream<TView>(streamKey, events.ToArray());
        else session.Events.Append(streamKey, currentVersion + events.Count, events.ToArray());
        await session.SaveChangesAsync(ct);
        foreach (var e in events) Operations.LedgerTelemetry.EventsAppended.Add(1, new KeyValuePair<string, object?>("event_type", e.GetType().Name));
        // The state the inline projection stored, folded here from the same events rather than read back.
        var view = StreamViews.After(current, streamKey, currentVersion, events);
        return new CommandResult<TState>(view.State!, view.Version, events.Count);
    }

    /// <summary>
    /// A session for a command: its events carry the recorder, it runs in one transaction, and it holds the alliance's
    /// settlement lock (taken first). For the rare command that writes to two streams at once (a move of funds).
    /// </summary>
    public async Task<IDocumentSession> OpenSession(Recorder recorder, string alliance, SettlementLock lockMode, CancellationToken ct)
    {
        var session = await Begin(recorder, alliance, ct);
        await SettlementLocks.Take(session, alliance, lockMode, ct);
        return session;
    }

    /// <summary>A session whose events carry the recorder, in a transaction begun (the caller takes the settlement lock).</summary>
    private async Task<IDocumentSession> Begin(Recorder recorder, string alliance, CancellationToken ct)
    {
        var session = store.LightweightSession(alliance);
        session.LastModifiedBy = recorder.User;
        session.SetHeader(LedgerMetadata.RoleHeader, recorder.Role);
        // The trace the command ran in (W3C trace id: the caller's traceparent, else the one the host started) is kept
        // with its events, so an auditor can find the request, its logs and its spans from an event.
        session.CorrelationId = System.Diagnostics.Activity.Current?.TraceId.ToHexString();
        // Its events are sealed in its transaction, once Marten has given them their sequence numbers.
        ((ITransactionParticipantRegistrar)session).AddTransactionParticipant(
            new Projections.Audit.SealParticipant(session, store.Options.Events.DatabaseSchemaName, seals));
        await session.BeginTransactionAsync(ct);
        return session;
    }

    public static Alliance AllianceOrNotFound(Alliance? alliance, string code) =>
        alliance ?? throw new NotFound(AllianceCodes.AllianceMustExist, $"alliance {code} does not exist");
}

public static class Http
{
    /// <summary>Reads If-Match as a stream version: "3" or 3 (weak or strong); absent means any version.</summary>
    public static long? ExpectedVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header == "*") return null;
        var text = header.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        text = text.Trim('"');
        return long.TryParse(text, out var v) && v >= 0
            ? v
            : throw new BadHttpRequestException("If-Match must be a stream version such as \"3\"");
    }

    public static IResult WithVersion(this HttpContext context, IResult result, long version)
    {
        context.Response.Headers.ETag = $"\"{version}\"";
        return result;
    }

    /// <summary>
    /// A command's answer: 201 with Location when it created the resource, else 200; ETag = stream version. It runs after
    /// the commit, so nothing in it may fail: the Location is percent-encoded whatever the ids hold.
    /// </summary>
    public static IResult Answer(this HttpContext context, object body, long version, string? createdLocation) =>
        context.WithVersion(createdLocation is null ? Results.Ok(body) : Results.Created(HeaderSafe(createdLocation), body), version);

    /// <summary>A path with every byte outside printable ASCII percent-encoded, so it is always a valid header value.</summary>
    public static string HeaderSafe(string path)
    {
        if (path.All(c => c is > ' ' and < '\x7f')) return path;
        var text = new System.Text.StringBuilder(path.Length + 16);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(path))
            text.Append(b is > (byte)' ' and < 0x7f ? ((char)b).ToString() : $"%{b:X2}");
        return text.ToString();
    }

    public static DateTimeOffset Now(this HttpContext context) =>
        context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
}
