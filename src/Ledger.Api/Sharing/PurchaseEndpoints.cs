using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Money;
using Ledger.Domain.Purchases;
using Ledger.Domain.Sharing;
using Ledger.Projections.Sharing;
using Marten;

namespace Ledger.Api.Sharing;

public sealed record ProposePurchaseRequest(string? PurchaseId, string? Resource, string? Vendor, DateOnly? LicenceFrom, DateOnly? LicenceTo,
    decimal? ListPrice, SplitRequest? Split, string? Metric, DateTimeOffset? At);

public sealed class ProposePurchaseValidator : AbstractValidator<ProposePurchaseRequest>
{
    public ProposePurchaseValidator()
    {
        RuleFor(x => x.PurchaseId).IsCode();
        RuleFor(x => x.Resource).IsText(200);
        RuleFor(x => x.Vendor).IsCode();
        RuleFor(x => x.LicenceFrom).NotNull();
        RuleFor(x => x.LicenceTo).NotNull();
        RuleFor(x => x.ListPrice).NotNull().IsAmount();
        RuleFor(x => x.Split).NotNull().SetValidator(new SplitValidator()!);
        RuleFor(x => x.Metric).Must(m => m is null || CounterReports.Metrics.Contains(m))
            .WithMessage($"must be {string.Join(" or ", CounterReports.Metrics)}");
    }
}

public sealed record MemberRequest(string? Member, DateTimeOffset? At);

public sealed class MemberRequestValidator : AbstractValidator<MemberRequest>
{
    public MemberRequestValidator() => RuleFor(x => x.Member).IsCode();
}

public sealed record WithdrawalRequest(string? Member, string? Reason, DateTimeOffset? At);

public sealed class WithdrawalValidator : AbstractValidator<WithdrawalRequest>
{
    public WithdrawalValidator()
    {
        RuleFor(x => x.Member).IsCode();
        RuleFor(x => x.Reason).IsText();
    }
}

public sealed record InvoiceRequest(string? InvoiceNumber, decimal? Amount, DateOnly? InvoiceDate, DateTimeOffset? At);

public sealed class InvoiceValidator : AbstractValidator<InvoiceRequest>
{
    public InvoiceValidator()
    {
        RuleFor(x => x.InvoiceNumber).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount();
        RuleFor(x => x.InvoiceDate).NotNull();
    }
}

public sealed record CoverRequest(string? FundingReference, decimal? Amount, string? BudgetLine, DateTimeOffset? At);

public sealed class CoverValidator : AbstractValidator<CoverRequest>
{
    public CoverValidator()
    {
        RuleFor(x => x.FundingReference).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.BudgetLine).IsCode().When(x => x.BudgetLine is not null);
    }
}

public sealed record VendorPaymentRequest(string? PaymentId, decimal? Amount, DateOnly? PaidOn, string? BankReference, DateTimeOffset? At);

public sealed class VendorPaymentValidator : AbstractValidator<VendorPaymentRequest>
{
    public VendorPaymentValidator()
    {
        RuleFor(x => x.PaymentId).IsCode();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.PaidOn).NotNull();
        RuleFor(x => x.BankReference).IsText(100);
    }
}

public sealed record AtRequestBody(DateTimeOffset? At);

public sealed record ParticipantResponse(
    string Member, int? Fte, long? Usage, string? UsageReportSha256, decimal? Share, decimal? Covered, decimal? Pays, decimal? CostPerUse);

public sealed record CoverResponse(string FundingReference, decimal Amount, IReadOnlyList<ShareResponse> Split);

public sealed record InvoiceResponse(string InvoiceNumber, decimal Amount, DateOnly InvoiceDate);

public sealed record VendorPaymentResponse(string PaymentId, decimal Amount, DateOnly PaidOn, string BankReference);

public sealed record PurchaseResponse(
    string PurchaseId, string Resource, string Vendor, DateOnly LicenceFrom, DateOnly LicenceTo, decimal ListPrice,
    SplitRequest Split, string Metric, PurchaseStatus Status, IReadOnlyList<ParticipantResponse> Participants,
    IReadOnlyList<string> Withdrawn, InvoiceResponse? Invoice, DateOnly? AllocationDate, IReadOnlyList<CoverResponse> Covers,
    IReadOnlyList<VendorPaymentResponse> VendorPayments, decimal VendorPaid, long Version)
{
    public static PurchaseResponse From(JointPurchase p, long version)
    {
        var inputs = p.Inputs.ToDictionary(i => i.Member);
        var shares = p.Shares.ToDictionary(s => s.Member, s => s.AmountFen);
        var participants = p.Participants.Order(StringComparer.Ordinal).Select(m =>
        {
            long? share = shares.TryGetValue(m, out var s) ? s : null;
            long? covered = share is null ? null : p.Covers.Sum(c => c.Split.FirstOrDefault(x => x.Member == m)?.AmountFen ?? 0);
            var usage = p.Usage.GetValueOrDefault(m);
            long? pays = share - covered;
            return new ParticipantResponse(m, inputs.GetValueOrDefault(m)?.Fte, usage?.Count, usage?.Sha256,
                share is { } a ? Fen.ToAmount(a) : null, covered is { } c ? Fen.ToAmount(c) : null, pays is { } x ? Fen.ToAmount(x) : null,
                pays is { } y && usage is { Count: > 0 } u ? Math.Round(Fen.ToAmount(y) / u.Count, 2, MidpointRounding.ToEven) : null);
        }).ToList();
        return new PurchaseResponse(p.Id, p.Resource, p.Vendor, p.LicenceFrom, p.LicenceTo, Fen.ToAmount(p.ListPriceFen),
            SplitRequest.From(p.Rule), p.Metric, p.Status, participants, p.Withdrawn,
            p.Invoice is { } i ? new InvoiceResponse(i.Number, Fen.ToAmount(i.AmountFen), i.InvoiceDate) : null, p.AllocationDate,
            p.Covers.Select(c => new CoverResponse(c.FundingReference, Fen.ToAmount(c.AmountFen), Shares.From(c.Split))).ToList(),
            p.VendorPayments.Select(v => new VendorPaymentResponse(v.PaymentId, Fen.ToAmount(v.AmountFen), v.PaidOn, v.BankReference)).ToList(),
            Fen.ToAmount(p.VendorPaidFen), version);
    }
}

/// <summary>Joint purchases: propose, join, withdraw, usage (COUNTER upload), invoice, allocation, cover, vendor payments.</summary>
public static class PurchaseEndpoints
{
    /// <summary>COUNTER reports run to megabytes (thousands of journals); this endpoint alone takes up to 16 MiB.</summary>
    public const long UsageBodyMaxBytes = 16 * 1024 * 1024;

    private static Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string purchaseId,
        Func<Domain.Alliances.Alliance, IPurchaseCommand> command, bool created = false) =>
        StreamCommands.Run<PurchaseView, JointPurchase>(http, runner, alliance, StreamKeys.Purchase(purchaseId),
            (state, a) => PurchaseDecider.Decide(purchaseId, command(a), state, a), PurchaseResponse.From,
            created ? $"/api/alliances/{alliance}/joint-purchases/{purchaseId}" : null);

    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapPost("/joint-purchases", (string alliance, ProposePurchaseRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, b.PurchaseId!, _ => new ProposePurchase(b.PurchaseId!, b.Resource!, b.Vendor!, b.LicenceFrom!.Value,
                    b.LicenceTo!.Value, Fen.FromAmount(b.ListPrice!.Value), b.Split!.ToRule(), b.Metric ?? CounterReports.UniqueItemRequests,
                    b.At ?? http.Now()), created: true))
            .Validate<ProposePurchaseRequest>().RequireAuthorization(Policies.ManageFinance).WithName("ProposePurchase").WithTags("Joint purchases");

        alliance.MapGet("/joint-purchases", (string alliance, HttpContext http, IDocumentStore store) =>
                StreamReads.ListViews<PurchaseView, JointPurchase>(http, store, alliance, p => MaySee(http.Caller(), p), PurchaseResponse.From))
            .RequireAuthorization(Policies.ReadFinance).WithName("ListPurchases").WithTags("Joint purchases");

        var purchase = alliance.MapGroup("/joint-purchases/{purchaseId}").WithTags("Joint purchases");

        purchase.MapGet("", async (string alliance, string purchaseId, HttpContext http, IDocumentStore store) =>
            {
                var (p, version) = await Visible(http, store, alliance, purchaseId);
                return http.WithVersion(Results.Ok(PurchaseResponse.From(p, version)), version);
            })
            .RequireAuthorization(Policies.ReadFinance).WithName("GetPurchase");

        purchase.MapPost("/participants", (string alliance, string purchaseId, MemberRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, purchaseId, _ => new JoinPurchase(b.Member!, b.At ?? http.Now())))
            .Validate<MemberRequest>().RequireAuthorization(Policies.ManageFinance).WithName("JoinPurchase");

        purchase.MapPost("/withdrawals", (string alliance, string purchaseId, WithdrawalRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, purchaseId, _ => new WithdrawFromPurchase(b.Member!, b.Reason!, b.At ?? http.Now())))
            .Validate<WithdrawalRequest>().RequireAuthorization(Policies.ManageFinance).WithName("WithdrawFromPurchase");

        purchase.MapPost("/usage", async (string alliance, string purchaseId, string? member, HttpContext http, CommandRunner runner) =>
            {
                MediaTypes.MustBe(http.Request, "application/json");
                if (!ValidationExtensions.IsValidCode(member)) throw new BadHttpRequestException("member (the code of the library the report is for) is required");
                var body = await ReadBody(http);
                return await StreamCommands.Run<PurchaseView, JointPurchase>(http, runner, alliance, StreamKeys.Purchase(purchaseId),
                    (state, a) =>
                    {
                        if (state is null) throw new NotFound(PurchaseCodes.PurchaseMustExist, $"joint purchase {purchaseId} does not exist");
                        var usage = CounterReports.Read(body, state.Metric);
                        return PurchaseDecider.Decide(purchaseId, new RecordPurchaseUsage(member!, usage, http.Now()), state, a);
                    }, PurchaseResponse.From);
            })
            .WithMetadata(new BodySizeLimit(UsageBodyMaxBytes)).TakesBody("application/json")
            .RequireAuthorization(Policies.ManageFinance).WithName("RecordPurchaseUsage");

        purchase.MapPost("/invoice", (string alliance, string purchaseId, InvoiceRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, purchaseId, _ => new InvoicePurchase(b.InvoiceNumber!, Fen.FromAmount(b.Amount!.Value), b.InvoiceDate!.Value, b.At ?? http.Now())))
            .Validate<InvoiceRequest>().RequireAuthorization(Policies.ManageFinance).WithName("InvoicePurchase");

        purchase.MapPost("/allocation", (string alliance, string purchaseId, AtRequestBody? b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, purchaseId, _ => new AllocatePurchase(b?.At ?? http.Now())))
            .RequireAuthorization(Policies.ManageFinance).WithName("AllocatePurchase");

        purchase.MapGet("/allocation", async (string alliance, string purchaseId, string? format, HttpContext http, IDocumentStore store) =>
            {
                var (p, version) = await Visible(http, store, alliance, purchaseId);
                if (p.Status != PurchaseStatus.Allocated) throw new NotFound(PurchaseCodes.PurchaseMustBeAllocated, $"{purchaseId} is not allocated yet");
                var response = PurchaseResponse.From(p, version);
                return await Exports.Answer(http, format, $"{alliance}-{purchaseId}-allocation", response, AllocationTable(response));
            })
            .RequireAuthorization(Policies.ReadFinance).WithName("GetPurchaseAllocation");

        purchase.MapPost("/cover", async (string alliance, string purchaseId, CoverRequest b, HttpContext http, CommandRunner runner) =>
            {
                // The grant pays: a cover beyond its sub-project's funds is refused (checked again at commit by the running total).
                var result = await runner.Run<PurchaseView, JointPurchase>(http.Caller().Recorder(), alliance, StreamKeys.Purchase(purchaseId),
                    Http.ExpectedVersion(http.Request), SettlementLock.Shared, async (session, state, a) =>
                    {
                        var available = await Projections.Funding.FundingQueries.AvailableFen(session, b.FundingReference!, http.RequestAborted);
                        return PurchaseDecider.Decide(purchaseId, new CoverPurchase(b.FundingReference!, Fen.FromAmount(b.Amount!.Value), b.At ?? http.Now(),
                            b.BudgetLine ?? Domain.Funding.BudgetLines.ResourcePurchase, available), state, CommandRunner.AllianceOrNotFound(a, alliance));
                    }, http.RequestAborted);
                return http.Answer(PurchaseResponse.From(result.State, result.Version), result.Version, null);
            })
            .Validate<CoverRequest>().RequireAuthorization(Policies.ManageFinance).WithName("CoverPurchase");

        purchase.MapPost("/vendor-payments", (string alliance, string purchaseId, VendorPaymentRequest b, HttpContext http, CommandRunner runner) =>
                Run(http, runner, alliance, purchaseId, _ => new PayVendor(b.PaymentId!, Fen.FromAmount(b.Amount!.Value), b.PaidOn!.Value, b.BankReference!, b.At ?? http.Now())))
            .Validate<VendorPaymentRequest>().RequireAuthorization(Policies.ManageFinance).WithName("PayVendor");
    }

    /// <summary>The purchase with its version, or 404 when it does not exist or the caller may not see it.</summary>
    private static async Task<(JointPurchase Purchase, long Version)> Visible(HttpContext http, IDocumentStore store, string alliance, string purchaseId)
    {
        await using var session = store.QuerySession(alliance);
        await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
        var view = await session.LoadAsync<PurchaseView>(StreamKeys.Purchase(purchaseId), http.RequestAborted);
        return view?.State is { } p && MaySee(http.Caller(), p)
            ? (p, view.Version)
            : throw new NotFound(PurchaseCodes.PurchaseMustExist, $"joint purchase {purchaseId} does not exist");
    }

    /// <summary>A member sees the purchases it takes or took part in; other roles with the policy see all.</summary>
    private static bool MaySee(Caller caller, JointPurchase p) =>
        !caller.Is(Roles.Member) || p.Participants.Contains(caller.Member!) || p.Withdrawn.Contains(caller.Member!);

    private static async Task<byte[]> ReadBody(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }

    public static ExportTable AllocationTable(PurchaseResponse p) => new("Allocation",
        ["member", "fte", "usage", "share", "covered", "pays", "cost_per_use"],
        p.Participants.Select(x => new object?[] { x.Member, x.Fte, x.Usage, x.Share, x.Covered, x.Pays, x.CostPerUse }));
}
