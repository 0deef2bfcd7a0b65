using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Funding;
using Ledger.Domain.Money;
using Ledger.Projections.Funding;
using Marten;

namespace Ledger.Api.Funding;

public sealed record ApproveProjectRequest(string? Code, string? Name, string? DepartmentCode, string? Phase, DateOnly? StartsOn, DateOnly? EndsOn, DateTimeOffset? At);

public sealed class ApproveProjectValidator : AbstractValidator<ApproveProjectRequest>
{
    public ApproveProjectValidator()
    {
        RuleFor(x => x.Code).IsCode();
        RuleFor(x => x.Name).IsText(200);
        RuleFor(x => x.DepartmentCode).IsCode();
        RuleFor(x => x.Phase).IsText(100);
        RuleFor(x => x.StartsOn).NotNull();
        RuleFor(x => x.EndsOn).NotNull();
    }
}

public sealed record CloseProjectRequest(DateOnly? ClosedOn, string? Remarks, DateTimeOffset? At);

public sealed class CloseProjectValidator : AbstractValidator<CloseProjectRequest>
{
    public CloseProjectValidator()
    {
        RuleFor(x => x.ClosedOn).NotNull();
        RuleFor(x => x.Remarks).IsText();
    }
}

public sealed record BudgetLineRequest(string? Line, decimal? Amount);

public sealed record ApproveSubProjectRequest(string? Code, string? ProjectCode, string? Title, string? UndertakingMember,
    IReadOnlyList<BudgetLineRequest>? Budget, DateTimeOffset? At);

public sealed class ApproveSubProjectValidator : AbstractValidator<ApproveSubProjectRequest>
{
    public ApproveSubProjectValidator()
    {
        RuleFor(x => x.Code).IsCode();
        RuleFor(x => x.ProjectCode).IsCode();
        RuleFor(x => x.Title).IsText(200);
        RuleFor(x => x.UndertakingMember).IsCode();
        RuleFor(x => x.Budget).NotEmpty().Must(b => b is null || b.Count <= 50).WithMessage("at most 50 budget lines")
            .Must(b => b is null || b.Select(l => l?.Line).Distinct().Count() == b.Count).WithMessage("each budget line once");
        RuleForEach(x => x.Budget).NotNull().ChildRules(l =>
        {
            l.RuleFor(x => x.Line).IsCode();
            l.RuleFor(x => x.Amount).NotNull().IsAmount();
        });
    }
}

public sealed record AllocationRequest(string? AllocationId, int? FiscalYear, decimal? Amount, DateOnly? AllocatedOn, DateTimeOffset? At);

public sealed class AllocationValidator : AbstractValidator<AllocationRequest>
{
    public AllocationValidator()
    {
        RuleFor(x => x.AllocationId).IsCode();
        RuleFor(x => x.FiscalYear).NotNull().InclusiveBetween(2000, 2100);
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.AllocatedOn).NotNull();
    }
}

public sealed record ReturnRequest(string? ReturnId, decimal? Amount, DateOnly? ReturnedOn, string? Reason, DateTimeOffset? At);

public sealed class ReturnValidator : AbstractValidator<ReturnRequest>
{
    public ReturnValidator()
    {
        RuleFor(x => x.ReturnId).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.ReturnedOn).NotNull();
        RuleFor(x => x.Reason).IsText();
    }
}

public sealed record MoveRequest(string? MoveId, string? ToSubProject, decimal? Amount, DateOnly? MovedOn, string? Reason, DateTimeOffset? At);

public sealed class MoveValidator : AbstractValidator<MoveRequest>
{
    public MoveValidator()
    {
        RuleFor(x => x.MoveId).IsCode();
        RuleFor(x => x.ToSubProject).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.MovedOn).NotNull();
        RuleFor(x => x.Reason).IsText();
    }
}

public sealed record ExpenditureRequest(string? ExpenditureId, string? Line, decimal? Amount, DateOnly? SpentOn, string? Voucher, string? Description,
    DateTimeOffset? At);

public sealed class ExpenditureValidator : AbstractValidator<ExpenditureRequest>
{
    public ExpenditureValidator()
    {
        RuleFor(x => x.ExpenditureId).IsCode();
        RuleFor(x => x.Line).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.SpentOn).NotNull();
        RuleFor(x => x.Voucher).IsText(100);
        RuleFor(x => x.Description).IsText();
    }
}

public sealed record ReversalRequest(string? Reason, DateOnly? ReversedOn, DateTimeOffset? At);

public sealed class ReversalValidator : AbstractValidator<ReversalRequest>
{
    public ReversalValidator()
    {
        RuleFor(x => x.Reason).IsText();
        RuleFor(x => x.ReversedOn).NotNull();
    }
}

public sealed record AcceptanceRequest(DateOnly? AcceptedOn, string? Grade, decimal? Score, string? Remarks, DateTimeOffset? At);

public sealed class AcceptanceValidator : AbstractValidator<AcceptanceRequest>
{
    public AcceptanceValidator()
    {
        RuleFor(x => x.AcceptedOn).NotNull();
        RuleFor(x => x.Grade).IsText(50);
        RuleFor(x => x.Score).InclusiveBetween(0m, 100m);
        RuleFor(x => x.Remarks).IsText(2000);
    }
}

public sealed record ProjectResponse(string Code, string Name, string DepartmentCode, string Alliance, string Phase, DateOnly StartsOn, DateOnly EndsOn,
    DateOnly? ClosedOn, string? Remarks, long Version)
{
    public static ProjectResponse From(Project p, long v) => new(p.Code, p.Name, p.DepartmentCode, p.Alliance, p.Phase, p.StartsOn, p.EndsOn, p.ClosedOn, p.Remarks, v);
}

/// <summary>One movement of a sub-project's money (allocated, returned, moved, spent, subsidy, reward, cover) and the event behind it.</summary>
public sealed record FundingEntryResponse(string Kind, string? Line, decimal Amount, int? FiscalYear, DateOnly BusinessDate, DateTimeOffset RecordedAt,
    long Sequence, Guid EventId, string EventType, string? PurchaseId, int SubsidisedRequests, int SubsidisedPages, decimal Subsidy, decimal Reward);

/// <summary>A page of a sub-project's movements in the order they were recorded; <see cref="Next"/> is the <c>after</c> of the next page.</summary>
public sealed record FundingEntriesResponse(string SubProject, IReadOnlyList<FundingEntryResponse> Entries, long? Next);

public sealed record ExpenditureResponse(string ExpenditureId, string Line, decimal Amount, DateOnly SpentOn, string Voucher, string Description, string? ReversedBecause);

public sealed record SubProjectResponse(string Code, string ProjectCode, string Title, string UndertakingMember, IReadOnlyList<BudgetLineRequest> Budget,
    SubProjectStatus Status, decimal Available, IReadOnlyList<ExpenditureResponse> Expenditures, DateOnly? AcceptedOn, string? Grade, decimal? Score,
    string? Remarks, long Version);

/// <summary>Projects and sub-projects: approval, allocations, returns, moves, expenditures, acceptance, closing.</summary>
public static class FundingEndpoints
{
    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapPost("/projects", (string alliance, ApproveProjectRequest b, HttpContext http, CommandRunner runner) =>
                StreamCommands.Run<ProjectView, Project>(http, runner, alliance, StreamKeys.Project(b.Code!),
                    (state, a) => ProjectDecider.Decide(new ApproveProject(b.Code!, b.Name!, b.DepartmentCode!, b.Phase!, b.StartsOn!.Value, b.EndsOn!.Value,
                        b.At ?? http.Now()), state, a), ProjectResponse.From, $"/api/alliances/{alliance}/projects/{b.Code}"))
            .Validate<ApproveProjectRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ApproveProject").WithTags("Funding");

        alliance.MapGet("/projects/{code}", (string alliance, string code, HttpContext http, IDocumentStore store) =>
                StreamReads.GetView<ProjectView, Project>(http, store, alliance, StreamKeys.Project(code), FundingCodes.ProjectMustExist, $"project {code}",
                    (p, v) => ProjectResponse.From(p, v)))
            .RequireAuthorization(Policies.ReadSettlement).WithName("GetProject").WithTags("Funding");

        alliance.MapPost("/projects/{code}/close", (string alliance, string code, CloseProjectRequest b, HttpContext http, CommandRunner runner) =>
                StreamCommands.Run<ProjectView, Project>(http, runner, alliance, StreamKeys.Project(code),
                    (state, a) => ProjectDecider.Decide(new CloseProject(b.ClosedOn!.Value, b.Remarks!, b.At ?? http.Now()), state, a), ProjectResponse.From))
            .Validate<CloseProjectRequest>().RequireAuthorization(Policies.ManageFinance).WithName("CloseProject").WithTags("Funding");

        alliance.MapPost("/subprojects", (string alliance, ApproveSubProjectRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, b.Code!, new ApproveSubProject(b.Code!, b.ProjectCode!, b.Title!, b.UndertakingMember!,
                    b.Budget!.Select(l => new BudgetLine(l.Line!, Fen.FromAmount(l.Amount!.Value))).ToList(), b.At ?? http.Now()), b.ProjectCode,
                    $"/api/alliances/{alliance}/subprojects/{b.Code}"))
            .Validate<ApproveSubProjectRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ApproveSubProject").WithTags("Funding");

        var sub = alliance.MapGroup("/subprojects/{code}").WithTags("Funding");

        sub.MapGet("", async (string alliance, string code, HttpContext http, IDocumentStore store) =>
            {
                await using var session = store.QuerySession(alliance);
                await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
                var view = await session.LoadAsync<SubProjectView>(StreamKeys.SubProject(code), http.RequestAborted);
                if (view?.State is not { } s) throw new NotFound(FundingCodes.SubProjectMustExist, $"sub-project {code} does not exist");
                var available = await FundingQueries.AvailableFen(session, code, http.RequestAborted);
                return http.WithVersion(Results.Ok(Respond(s, view.Version, available)), view.Version);
            })
            .RequireAuthorization(Policies.ReadSettlement).WithName("GetSubProject");

        sub.MapGet("/entries", async (string alliance, string code, long? after, int? limit, HttpContext http, IDocumentStore store) =>
            {
                if (limit is < 1 or > Ledger.LedgerEndpoints.StatementPageMax)
                    throw new BadHttpRequestException($"limit must be from 1 to {Ledger.LedgerEndpoints.StatementPageMax}");
                var pageSize = limit ?? 200;
                await using var session = store.QuerySession(alliance);
                await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
                if (await session.LoadAsync<SubProjectView>(StreamKeys.SubProject(code), http.RequestAborted) is not { State: not null })
                    throw new NotFound(FundingCodes.SubProjectMustExist, $"sub-project {code} does not exist");
                var from = after ?? 0;
                var page = await session.Query<FundingEntry>().Where(e => e.SubProject == code && e.Sequence > from).OrderBy(e => e.Sequence)
                    .Take(pageSize + 1).ToListAsync(http.RequestAborted);
                var entries = page.Take(pageSize).Select(e => new FundingEntryResponse(e.Kind.ToString(), e.Line, Fen.ToAmount(e.AmountFen), e.FiscalYear,
                    e.BusinessDate, e.RecordedAt, e.Sequence, e.EventId, e.EventType, e.PurchaseId, e.SubsidisedRequests, e.SubsidisedPages,
                    Fen.ToAmount(e.SubsidyFen), Fen.ToAmount(e.RewardFen))).ToList();
                return Results.Ok(new FundingEntriesResponse(code, entries, page.Count > pageSize ? entries[^1].Sequence : null));
            })
            .RequireAuthorization(Policies.ReadSettlement).WithName("ListSubProjectEntries");

        sub.MapPost("/allocations", (string alliance, string code, AllocationRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, code, new AllocateFunds(b.AllocationId!, b.FiscalYear!.Value, Fen.FromAmount(b.Amount!.Value),
                    b.AllocatedOn!.Value, b.At ?? http.Now())))
            .Validate<AllocationRequest>().RequireAuthorization(Policies.ManageFinance).WithName("AllocateFunds");

        sub.MapPost("/returns", (string alliance, string code, ReturnRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, code, new ReturnFunds(b.ReturnId!, Fen.FromAmount(b.Amount!.Value), b.ReturnedOn!.Value,
                    b.Reason!, b.At ?? http.Now())))
            .Validate<ReturnRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ReturnFunds");

        sub.MapPost("/expenditures", (string alliance, string code, ExpenditureRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, code, new RecordExpenditure(b.ExpenditureId!, b.Line!, Fen.FromAmount(b.Amount!.Value),
                    b.SpentOn!.Value, b.Voucher!, b.Description!, b.At ?? http.Now())))
            .Validate<ExpenditureRequest>().RequireAuthorization(Policies.ManageFinance).WithName("RecordExpenditure");

        sub.MapPost("/expenditures/{expenditureId}/reversal", (string alliance, string code, string expenditureId, ReversalRequest b, HttpContext http,
                CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, code, new ReverseExpenditure(expenditureId, b.Reason!, b.ReversedOn!.Value, b.At ?? http.Now())))
            .Validate<ReversalRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ReverseExpenditure");

        sub.MapPost("/acceptance", (string alliance, string code, AcceptanceRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                SubProjectCommand(http, runner, store, alliance, code, new AcceptSubProject(b.AcceptedOn!.Value, b.Grade!, b.Score, b.Remarks!, b.At ?? http.Now())))
            .Validate<AcceptanceRequest>().RequireAuthorization(Policies.ManageFinance).WithName("AcceptSubProject");

        sub.MapPost("/moves", (string alliance, string code, MoveRequest b, HttpContext http, CommandRunner runner, IDocumentStore store) =>
                Move(http, runner, store, alliance, code, b))
            .Validate<MoveRequest>().RequireAuthorization(Policies.ManageFinance).WithName("MoveFunds");
    }

    private static SubProjectResponse Respond(SubProject s, long version, long availableFen) => new(s.Code, s.ProjectCode, s.Title, s.UndertakingMember,
        s.Budget.Select(l => new BudgetLineRequest(l.Line, Fen.ToAmount(l.BudgetFen))).ToList(), s.Status, Fen.ToAmount(availableFen),
        s.Expenditures.Select(e => new ExpenditureResponse(e.Id, e.Line, Fen.ToAmount(e.AmountFen), e.SpentOn, e.Voucher, e.Description, e.ReversedBecause)).ToList(),
        s.AcceptedOn, s.Grade, s.Score, s.Remarks, version);

    /// <summary>A sub-project command with its project and the funds it has left.</summary>
    private static async Task<IResult> SubProjectCommand(HttpContext http, CommandRunner runner, IDocumentStore store, string alliance, string code,
        ISubProjectCommand command, string? projectCode = null, string? createdLocation = null)
    {
        long available = 0;
        var result = await runner.Run<SubProjectView, SubProject>(http.Caller().Recorder(), alliance, StreamKeys.SubProject(code), Http.ExpectedVersion(http.Request),
            SettlementLock.Shared, async (session, state, a) =>
            {
                var known = CommandRunner.AllianceOrNotFound(a, alliance);
                available = await FundingQueries.AvailableFen(session, code, http.RequestAborted);
                var project = (await session.LoadAsync<ProjectView>(StreamKeys.Project(projectCode ?? state?.ProjectCode ?? ""), http.RequestAborted))?.State;
                return SubProjectDecider.Decide(code, command, state, project, known, available);
            }, http.RequestAborted);
        await using var query = store.QuerySession(alliance);
        available = await FundingQueries.AvailableFen(query, code, http.RequestAborted);
        return http.Answer(Respond(result.State, result.Version, available), result.Version, createdLocation);
    }

    /// <summary>Both sides of a move in one transaction; decided again if the source's funds were spent meanwhile.</summary>
    private static Task<IResult> Move(HttpContext http, CommandRunner runner, IDocumentStore store, string alliance, string from, MoveRequest b) =>
        CommandRunner.DecidedAgainOnOverspend(() => MoveOnce(http, runner, store, alliance, from, b));

    private static async Task<IResult> MoveOnce(HttpContext http, CommandRunner runner, IDocumentStore store, string alliance, string from, MoveRequest b)
    {
        var ct = http.RequestAborted;
        var recorder = http.Caller().Recorder();
        await using var session = await runner.OpenSession(recorder, alliance, SettlementLock.Shared, ct);
        var a = CommandRunner.AllianceOrNotFound((await session.LoadAsync<Projections.Alliances.AllianceView>(StreamKeys.Alliance, ct))?.State, alliance);
        var availableFrom = await FundingQueries.AvailableFen(session, from, ct);
        var source = await session.Events.FetchForWriting<SubProjectView>(StreamKeys.SubProject(from), ct);
        var target = await session.Events.FetchForWriting<SubProjectView>(StreamKeys.SubProject(b.ToSubProject!), ct);
        var s = source.Aggregate?.State ?? throw new NotFound(FundingCodes.SubProjectMustExist, $"sub-project {from} does not exist");
        var t = target.Aggregate?.State ?? throw new NotFound(FundingCodes.SubProjectMustExist, $"sub-project {b.ToSubProject} does not exist");
        var project = (await session.LoadAsync<ProjectView>(StreamKeys.Project(s.ProjectCode), ct))?.State;
        var moved = SubProjectDecider.Move(b.MoveId!, s, t, project, Fen.FromAmount(b.Amount!.Value), b.Reason!, b.MovedOn!.Value, availableFrom);
        if (moved is { } m)
        {
            source.AppendOne(m.Out);
            target.AppendOne(m.In);
            await session.SaveChangesAsync(ct);
        }
        await using var query = store.QuerySession(alliance);
        var view = await query.LoadAsync<SubProjectView>(StreamKeys.SubProject(from), ct);
        return http.Answer(Respond(view!.State!, view.Version, await FundingQueries.AvailableFen(query, from, ct)), view.Version, null);
    }
}
