using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.CostShares;
using Ledger.Domain.Ledger;
using Ledger.Domain.Money;
using Ledger.Projections.Sharing;
using Marten;

namespace Ledger.Api.Sharing;

public sealed record CostShareParticipantRequest(string? Member, long? Usage);

public sealed class CostShareParticipantValidator : AbstractValidator<CostShareParticipantRequest>
{
    public CostShareParticipantValidator()
    {
        RuleFor(x => x.Member).IsCode();
        RuleFor(x => x.Usage).InclusiveBetween(0, 1_000_000_000);
    }
}

public sealed record DeclareCostShareRequest(string? CostShareId, string? Purpose, decimal? Amount, SplitRequest? Split,
    IReadOnlyList<CostShareParticipantRequest>? Participants, string? PayeeMember, string? PayeeVendor, DateTimeOffset? At);

public sealed class DeclareCostShareValidator : AbstractValidator<DeclareCostShareRequest>
{
    public DeclareCostShareValidator()
    {
        RuleFor(x => x.CostShareId).IsCode();
        RuleFor(x => x.Purpose).IsText(200);
        RuleFor(x => x.Amount).NotNull().IsAmount();
        RuleFor(x => x.Split).NotNull().SetValidator(new SplitValidator()!);
        RuleFor(x => x.Participants).NotEmpty().Must(p => p is null || p.Count <= 2000).WithMessage("at most 2000 participants");
        RuleForEach(x => x.Participants).NotNull().SetValidator(new CostShareParticipantValidator());
        RuleFor(x => x).Must(x => (x.PayeeMember is null) != (x.PayeeVendor is null))
            .WithName("payee").WithMessage("name exactly one of payeeMember and payeeVendor");
        RuleFor(x => x.PayeeMember).IsCode().When(x => x.PayeeMember is not null);
        RuleFor(x => x.PayeeVendor).IsCode().When(x => x.PayeeVendor is not null);
    }
}

public sealed record CorrectCostShareRequest(decimal? Amount, IReadOnlyList<CostShareParticipantRequest>? Participants, string? Reason, DateTimeOffset? At);

public sealed class CorrectCostShareValidator : AbstractValidator<CorrectCostShareRequest>
{
    public CorrectCostShareValidator()
    {
        RuleFor(x => x.Amount).NotNull().IsAmount();
        RuleFor(x => x.Participants).NotEmpty().Must(p => p is null || p.Count <= 2000).WithMessage("at most 2000 participants");
        RuleForEach(x => x.Participants).NotNull().SetValidator(new CostShareParticipantValidator());
        RuleFor(x => x.Reason).IsText();
    }
}

public sealed record ReasonBody(string? Reason, DateTimeOffset? At);

public sealed class ReasonBodyValidator : AbstractValidator<ReasonBody>
{
    public ReasonBodyValidator() => RuleFor(x => x.Reason).IsText();
}

public sealed record CostShareResponse(
    string CostShareId, string Purpose, decimal Amount, SplitRequest Split, IReadOnlyList<CostShareParticipantRequest> Participants,
    string Payee, CostShareStatus Status, DateOnly? AllocationDate, IReadOnlyList<ShareResponse> Shares, IReadOnlyList<string> Corrections, long Version)
{
    public static CostShareResponse From(CostShare c, long version) => new(c.Id, c.Purpose, Fen.ToAmount(c.AmountFen), SplitRequest.From(c.Rule),
        c.Participants.Select(p => new CostShareParticipantRequest(p.Member, p.Usage)).ToList(), c.PayeeAccount, c.Status, c.AllocationDate,
        Sharing.Shares.From(c.Shares), c.Corrections, version);
}

/// <summary>Shared costs: declare, allocate, correct (reallocate), reverse.</summary>
public static class CostShareEndpoints
{
    private static Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string id, ICostShareCommand command, bool created = false) =>
        StreamCommands.Run<CostShareView, CostShare>(http, runner, alliance, StreamKeys.CostShare(id),
            (state, a) => CostShareDecider.Decide(id, command, state, a), CostShareResponse.From,
            created ? $"/api/alliances/{alliance}/cost-shares/{id}" : null);

    private static List<CostShareParticipant> Participants(IReadOnlyList<CostShareParticipantRequest> p) =>
        p.Select(x => new CostShareParticipant(x.Member!, x.Usage)).ToList();

    /// <summary>A member sees the cost shares it takes part in; other roles with the policy see all.</summary>
    private static bool MaySee(Caller caller, CostShare c) => !caller.Is(Roles.Member) || c.Participants.Any(p => p.Member == caller.Member);

    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapPost("/cost-shares", (string alliance, DeclareCostShareRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, b.CostShareId!, new DeclareCostShare(b.CostShareId!, b.Purpose!, Fen.FromAmount(b.Amount!.Value),
                    b.Split!.ToRule(), Participants(b.Participants!),
                    b.PayeeMember is { } m ? Account.Member(m) : Account.Vendor(b.PayeeVendor!), b.At ?? http.Now()), created: true))
            .Validate<DeclareCostShareRequest>().RequireAuthorization(Policies.ManageFinance).WithName("DeclareCostShare").WithTags("Cost shares");

        alliance.MapGet("/cost-shares", (string alliance, HttpContext http, IDocumentStore store) =>
                StreamReads.ListViews<CostShareView, CostShare>(http, store, alliance, c => MaySee(http.Caller(), c), CostShareResponse.From))
            .RequireAuthorization(Policies.ReadFinance).WithName("ListCostShares").WithTags("Cost shares");

        var share = alliance.MapGroup("/cost-shares/{costShareId}").WithTags("Cost shares");

        share.MapGet("", (string alliance, string costShareId, HttpContext http, IDocumentStore store) =>
                StreamReads.GetView<CostShareView, CostShare>(http, store, alliance, StreamKeys.CostShare(costShareId), CostShareCodes.CostShareMustExist,
                    $"cost share {costShareId}", CostShareResponse.From, c =>
                    {
                        if (!MaySee(http.Caller(), c)) throw new NotFound(CostShareCodes.CostShareMustExist, $"cost share {costShareId} does not exist");
                    }))
            .RequireAuthorization(Policies.ReadFinance).WithName("GetCostShare");

        share.MapPost("/allocation", (string alliance, string costShareId, AtRequestBody? b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, costShareId, new AllocateCostShare(b?.At ?? http.Now())))
            .RequireAuthorization(Policies.ManageFinance).WithName("AllocateCostShare");

        share.MapPost("/corrections", (string alliance, string costShareId, CorrectCostShareRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, costShareId, new CorrectCostShare(Fen.FromAmount(b.Amount!.Value), Participants(b.Participants!), b.Reason!, b.At ?? http.Now())))
            .Validate<CorrectCostShareRequest>().RequireAuthorization(Policies.ManageFinance).WithName("CorrectCostShare");

        share.MapPost("/reversal", (string alliance, string costShareId, ReasonBody b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, costShareId, new ReverseCostShare(b.Reason!, b.At ?? http.Now())))
            .Validate<ReasonBody>().RequireAuthorization(Policies.ManageFinance).WithName("ReverseCostShare");
    }
}
