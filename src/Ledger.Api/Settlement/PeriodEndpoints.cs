using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Ledger;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Ledger;
using Ledger.Domain.Money;
using Ledger.Domain.Settlement;
using Ledger.Projections.Ledger;
using Ledger.Projections.Sharing;
using Marten;

namespace Ledger.Api.Settlement;

public sealed record FrequencyRequest(PeriodFrequency? Frequency, DateTimeOffset? At);

public sealed class FrequencyValidator : AbstractValidator<FrequencyRequest>
{
    public FrequencyValidator() => RuleFor(x => x.Frequency).NotNull();
}

/// <summary>Closing takes no fields (it closes now); an empty object or no body, anything else is refused.</summary>
public sealed record CloseRequest;

public sealed record PeriodResponse(string Period, DateOnly From, DateOnly To, bool Closed, DateTimeOffset? ClosedAt, long? HighWaterSequence);

public sealed record PeriodsResponse(string Alliance, PeriodFrequency Frequency, IReadOnlyList<PeriodResponse> Closed, PeriodResponse FirstOpen, long Version);

public sealed record PositionResponse(string Account, decimal Opening, decimal Movement, decimal Closing);

public sealed record FlowResponse(string From, string To, decimal Amount);

public sealed record StatementSummaryResponse(string Member, decimal OpeningBalance, decimal Movement, decimal ClosingBalance, decimal ToPay,
    decimal ToReceive, int Lines, string Digest);

/// <summary>A period's netting: as closed (ClosedAt set), or as a close would record it now (preview: ClosedAt null).</summary>
public sealed record SettlementResponse(string Alliance, string Period, DateOnly From, DateOnly To, DateTimeOffset? ClosedAt, long HighWaterSequence,
    int Postings, IReadOnlyList<PositionResponse> Accounts, IReadOnlyList<FlowResponse> Bilateral, IReadOnlyList<StatementSummaryResponse> Statements,
    string Currency);

public sealed record PeriodStatementResponse(string Alliance, string Member, string Period, DateOnly From, DateOnly To, DateTimeOffset IssuedAt,
    decimal OpeningBalance, decimal ClosingBalance, decimal ToPay, decimal ToReceive, string Currency, string Digest, long HighWater,
    IReadOnlyList<StatementLine> Postings, Audit.ChainHeadResponse? AuditHead = null);

/// <summary>A statement recomputed from the postings did not match the digest recorded when it was issued.</summary>
public sealed class StatementIntegrityFailed(string message) : Exception(message);

/// <summary>Settlement periods: the list, the frequency, closing (netting and statements), and what a close issued.</summary>
public static class PeriodEndpoints
{
    public static void Map(RouteGroupBuilder alliance)
    {
        var periods = alliance.MapGroup("/periods").WithTags("Settlement");

        periods.MapGet("", async (string alliance, HttpContext http, ReadStore store) =>
            {
                await using var session = store.QuerySession(alliance);
                var a = await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
                var view = await session.LoadAsync<SettlementView>(StreamKeys.Settlement, http.RequestAborted);
                var s = view?.State ?? SettlementState.Default;
                var open = s.FirstOpen(a);
                return Results.Ok(new PeriodsResponse(alliance, s.Frequency,
                    s.Closed.Select(c => new PeriodResponse(c.Key, c.From, c.To, true, c.ClosedAt, c.HighWaterSequence)).ToList(),
                    new PeriodResponse(open.Key, open.From, open.To, false, null, null), view?.Version ?? 0));
            })
            .RequireAuthorization(Policies.ReadFinance).WithName("ListPeriods");

        periods.MapPost("/frequency", async (string alliance, FrequencyRequest b, HttpContext http, CommandRunner runner) =>
            {
                var result = await runner.Run<SettlementView, SettlementState>(http.Caller().Recorder(), alliance, StreamKeys.Settlement,
                    Http.ExpectedVersion(http.Request),
                    (state, a) => SettlementDecider.Decide(new ChooseSettlementPeriods(b.Frequency!.Value, b.At ?? http.Now()), state,
                        CommandRunner.AllianceOrNotFound(a, alliance)), http.RequestAborted);
                return http.Answer(new { alliance, frequency = result.State.Frequency, version = result.Version }, result.Version, null);
            })
            .Validate<FrequencyRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ChooseSettlementPeriods");

        periods.MapPost("/{period}/close", async (string alliance, string period, CloseRequest? body, HttpContext http, CommandRunner runner, ReadStore store) =>
            {
                await Close(runner, http.Caller().Recorder(), alliance, period, Http.ExpectedVersion(http.Request), http.Now(), http.RequestAborted);
                return Results.Ok(await Settlement(store.OnPrimary, alliance, period, http.RequestAborted));
            })
            .RequireAuthorization(Policies.ManageFinance).WithName("ClosePeriod");

        periods.MapGet("/{period}/preview", async (string alliance, string period, HttpContext http, ReadStore store) =>
                Results.Ok(await Preview(store, alliance, period, http.Now(), http.RequestAborted)))
            .RequireAuthorization(Policies.ReadSettlement).WithName("PreviewPeriodClose");

        periods.MapGet("/{period}/settlement", async (string alliance, string period, string? format, HttpContext http, ReadStore store) =>
            {
                var s = await Settlement(store, alliance, period, http.RequestAborted);
                return await Exports.Answer(http, format, $"{alliance}-{period}-settlement", s, s.ClosedAt,
                    new ExportTable("Positions", ["account", "opening", "movement", "closing"],
                        s.Accounts.Select(x => new object?[] { x.Account, x.Opening, x.Movement, x.Closing })),
                    new ExportTable("Bilateral", ["from", "to", "amount"], s.Bilateral.Select(f => new object?[] { f.From, f.To, f.Amount })),
                    new ExportTable("Statements", ["member", "opening_balance", "movement", "closing_balance", "to_pay", "to_receive", "lines", "digest"],
                        s.Statements.Select(x => new object?[] { x.Member, x.OpeningBalance, x.Movement, x.ClosingBalance, x.ToPay, x.ToReceive, x.Lines, x.Digest })));
            })
            .RequireAuthorization(Policies.ReadSettlement).WithName("GetSettlement");

        periods.MapGet("/{period}/statements/{member}", async (string alliance, string period, string member, string? format, HttpContext http, ReadStore store,
                Projections.Audit.AuditChains chains) =>
            {
                var statement = await Statement(store, alliance, period, member, http.RequestAborted);
                // The chain as it stood at the close's high-water mark: every event the statement rests on is under that hash.
                var link = await chains.For(alliance).At(statement.HighWater, http.RequestAborted);
                statement = statement with { AuditHead = link is null ? null : new Audit.ChainHeadResponse(link.Sequence, link.Hash) };
                return await Exports.Answer(http, format, $"{alliance}-{period}-{member}-statement", statement, statement.IssuedAt,
                    new ExportTable("Statement", StatementLine.Headers, StatementRows(statement)));
            })
            .RequireAuthorization(Policies.ReadMemberLedger).WithName("GetPeriodStatement");
    }

    /// <summary>Closes a period through the command path, holding the alliance's settlement lock alone.</summary>
    public static Task Close(CommandRunner runner, Recorder recorder, string alliance, string period, long? expectedVersion, DateTimeOffset now,
        CancellationToken ct) =>
        runner.Run<SettlementView, SettlementState>(recorder, alliance, StreamKeys.Settlement, expectedVersion, SettlementLock.Exclusive,
            (session, state, a) => Close(session, period, state, CommandRunner.AllianceOrNotFound(a, alliance), now, ct), ct);

    /// <summary>Under the exclusive lock: the period's postings up to the current high-water mark, netted.</summary>
    private static async Task<IReadOnlyList<object>> Close(IDocumentSession session, string key, SettlementState? state, Alliance alliance,
        DateTimeOffset now, CancellationToken ct)
    {
        var s = state ?? SettlementState.Default;
        if (s.Closed.Any(p => p.Key == key)) return [];
        var (_, highWater, netting) = await Net(session, key, s, alliance, now, ct);
        return SettlementDecider.Decide(new ClosePeriod(key, highWater, netting, now), state, alliance);
    }

    /// <summary>
    /// The netting a close would record now: the period's postings up to the current high-water mark. Close runs it
    /// under the exclusive lock; the preview runs it without, so what it shows is what a close at that moment would issue.
    /// </summary>
    private static async Task<(Period Period, long HighWater, PeriodNetting Netting)> Net(IQuerySession session, string key, SettlementState s,
        Alliance alliance, DateTimeOffset now, CancellationToken ct)
    {
        var period = SettlementDecider.PeriodToClose(key, s, alliance, now);
        var highWater = (await session.AdvancedSql.QueryAsync<long>(
            $"select coalesce(max(seq_id), 0)::bigint from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events", ct)).Single();
        var bounds = new PeriodBounds(period.To, highWater, s.LastClosed?.To ?? DateOnly.MinValue, s.LastClosed?.HighWaterSequence ?? 0);
        var postings = await PeriodQueries.Postings(session, bounds).ToListAsync(ct);
        var openings = await PeriodQueries.Openings(session, bounds, ct);
        return (period, highWater, Netting.Compute(postings.Select(PeriodQueries.Line).ToList(), openings, alliance.Members.Keys));
    }

    /// <summary>What closing the period now would issue, without closing it (the console shows it before asking to confirm).</summary>
    private static async Task<SettlementResponse> Preview(ReadStore store, string alliance, string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.QuerySession(alliance);
        var a = await StreamReads.AllianceMustExist(session, alliance, ct);
        var s = (await session.LoadAsync<SettlementView>(StreamKeys.Settlement, ct))?.State ?? SettlementState.Default;
        var (period, highWater, netting) = await Net(session, key, s, a, now, ct);
        return Response(alliance, period.Key, period.From, period.To, null, highWater, netting, a.Currency);
    }

    private static async Task<(PeriodClosed Closed, Alliance Alliance)> ClosedPeriod(IQuerySession session, string alliance, string period, CancellationToken ct)
    {
        var a = await StreamReads.AllianceMustExist(session, alliance, ct);
        // The settlement stream holds one event per close, so reading it whole is cheap.
        var closed = (await session.Events.FetchStreamAsync(StreamKeys.Settlement, token: ct))
            .Select(e => e.Data).OfType<PeriodClosed>().FirstOrDefault(p => p.PeriodKey == period);
        return closed is null
            ? throw new NotFound(SettlementCodes.PeriodMustBeClosed, $"period {period} is not closed; statements are issued when it closes")
            : (closed, a);
    }

    private static async Task<SettlementResponse> Settlement(ReadStore store, string alliance, string period, CancellationToken ct)
    {
        await using var session = store.QuerySession(alliance);
        var (p, a) = await ClosedPeriod(session, alliance, period, ct);
        return Response(alliance, p.PeriodKey, p.From, p.To, p.ClosedAt, p.HighWaterSequence, p.Netting, a.Currency);
    }

    private static SettlementResponse Response(string alliance, string period, DateOnly from, DateOnly to, DateTimeOffset? closedAt, long highWater,
        PeriodNetting n, string currency) => new(alliance, period, from, to, closedAt, highWater, n.Postings,
        n.Accounts.Select(x => new PositionResponse(x.Account, Fen.ToAmount(x.OpeningFen), Fen.ToAmount(x.MovementFen), Fen.ToAmount(x.ClosingFen))).ToList(),
        n.Bilateral.Select(f => new FlowResponse(f.From, f.To, Fen.ToAmount(f.AmountFen))).ToList(),
        n.Statements.Select(Summary).ToList(), currency);

    private static StatementSummaryResponse Summary(StatementSummary x) => new(x.Member, Fen.ToAmount(x.OpeningFen), Fen.ToAmount(x.MovementFen),
        Fen.ToAmount(x.ClosingFen), Fen.ToAmount(Math.Max(0, -x.ClosingFen)), Fen.ToAmount(Math.Max(0, x.ClosingFen)), x.Lines, x.Digest);

    /// <summary>
    /// The statement as issued: its lines recomputed from the postings of the closed period, checked against the
    /// digest recorded at the close (a mismatch means the postings no longer say what was issued, and is refused).
    /// </summary>
    private static async Task<PeriodStatementResponse> Statement(ReadStore store, string alliance, string period, string member, CancellationToken ct)
    {
        await using var session = store.QuerySession(alliance);
        var (p, a) = await ClosedPeriod(session, alliance, period, ct);
        var summary = p.Netting.Statements.FirstOrDefault(s => s.Member == member)
                      ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {member} has no statement for {period}");
        var postings = await PeriodQueries.Postings(session, PeriodBounds.Of(p), Account.Member(member)).ToListAsync(ct);
        var digest = Netting.Digest(Netting.Ordered(postings.Select(PeriodQueries.Line)));
        if (digest != summary.Digest || postings.Sum(x => x.AmountFen) != summary.MovementFen)
            throw new StatementIntegrityFailed($"the {period} statement of {member} no longer matches the one issued");
        var s = Summary(summary);
        return new PeriodStatementResponse(alliance, member, p.PeriodKey, p.From, p.To, p.ClosedAt, s.OpeningBalance, s.ClosingBalance, s.ToPay,
            s.ToReceive, a.Currency, summary.Digest, p.HighWaterSequence, postings.OrderBy(x => x.BusinessDate).ThenBy(x => x.Sequence).ThenBy(x => x.Index)
                .Select(StatementLine.From).ToList());
    }

    /// <summary>The statement as a table: opening balance, every posting, closing balance and what to pay or receive.</summary>
    private static IEnumerable<object?[]> StatementRows(PeriodStatementResponse s)
    {
        var blank = new object?[StatementLine.Headers.Length - 2];
        yield return [s.From, s.OpeningBalance, "opening balance", .. blank[1..]];
        foreach (var line in s.Postings) yield return line.Row();
        yield return [s.To, s.ClosingBalance, "closing balance", .. blank[1..]];
        yield return [s.To, s.ToPay, "to pay", .. blank[1..]];
        yield return [s.To, s.ToReceive, "to receive", .. blank[1..]];
    }
}
