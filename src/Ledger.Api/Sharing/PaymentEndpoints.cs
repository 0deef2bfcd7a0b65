using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Money;
using Ledger.Domain.Payments;
using Ledger.Projections.Sharing;
using Marten;

namespace Ledger.Api.Sharing;

public sealed record PaymentRequest(string? PaymentId, string? Member, PaymentDirection? Direction, decimal? Amount, DateOnly? PaidOn,
    string? BankReference, DateTimeOffset? At);

public sealed class PaymentValidator : AbstractValidator<PaymentRequest>
{
    public PaymentValidator()
    {
        RuleFor(x => x.PaymentId).IsCode();
        RuleFor(x => x.Member).IsCode();
        RuleFor(x => x.Direction).NotNull();
        RuleFor(x => x.Amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        RuleFor(x => x.PaidOn).NotNull();
        RuleFor(x => x.BankReference).IsText(100);
    }
}

public sealed record PaymentResponse(string PaymentId, string Member, PaymentDirection Direction, decimal Amount, DateOnly PaidOn,
    string BankReference, DateTimeOffset RecordedAt, long Version)
{
    public static PaymentResponse From(Payment p, long version) =>
        new(p.Id, p.Member, p.Direction, Fen.ToAmount(p.AmountFen), p.PaidOn, p.BankReference, p.RecordedAt, version);
}

/// <summary>Payments between a member and the clearing centre; the payment id makes a retry post once.</summary>
public static class PaymentEndpoints
{
    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapPost("/payments", (string alliance, PaymentRequest b, HttpContext http, CommandRunner runner) =>
                StreamCommands.Run<PaymentView, Payment>(http, runner, alliance, StreamKeys.Payment(b.PaymentId!),
                    (state, a) => PaymentDecider.Decide(new RecordPayment(b.PaymentId!, b.Member!, b.Direction!.Value, Fen.FromAmount(b.Amount!.Value),
                        b.PaidOn!.Value, b.BankReference!, b.At ?? http.Now()), state, a),
                    PaymentResponse.From, $"/api/alliances/{alliance}/payments/{b.PaymentId}"))
            .Validate<PaymentRequest>().RequireAuthorization(Policies.ManageFinance).WithName("RecordPayment").WithTags("Payments");

        alliance.MapGet("/payments/{paymentId}", (string alliance, string paymentId, HttpContext http, IDocumentStore store) =>
                StreamReads.GetView<PaymentView, Payment>(http, store, alliance, StreamKeys.Payment(paymentId), PaymentCodes.PaymentMustExist,
                    $"payment {paymentId}", PaymentResponse.From,
                    p => Parties.MaySee(http.Caller(), p.Member, p.Member, PaymentCodes.PaymentMustExist, $"payment {paymentId}")))
            .RequireAuthorization(Policies.ReadFinance).WithName("GetPayment").WithTags("Payments");
    }
}
