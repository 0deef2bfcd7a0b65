using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Charges;
using Ledger.Domain.Money;

namespace Ledger.Api.Charges;

/// <summary>A charge as the API shows it: amounts in yuan with two decimals.</summary>
public sealed record ChargeResponse(decimal Fee, decimal Subsidy, decimal Reward, decimal BorrowerPays, string? GrantAccount,
    DateOnly? PolicyEffectiveFrom)
{
    public static ChargeResponse? From(Charge? c) => c is null ? null : new(Fen.ToAmount(c.FeeFen), Fen.ToAmount(c.SubsidyFen),
        Fen.ToAmount(c.RewardFen), Fen.ToAmount(c.BorrowerPaysFen), c.GrantAccount, c.PolicyEffectiveFrom);
}

public sealed record RefundResponse(string RefundId, ChargeKind Charge, decimal Amount, string Reason)
{
    public static IReadOnlyList<RefundResponse> From(IReadOnlyList<RecordedRefund> refunds) =>
        refunds.Select(r => new RefundResponse(r.RefundId, r.Charge, Fen.ToAmount(r.AmountFen), r.Reason)).ToList();
}

/// <summary>A step that only says when it happened (received, returned, …); <c>at</c> defaults to now.</summary>
public sealed record AtRequest(DateTimeOffset? At);

/// <summary>A step with a reason (unfilled needs one; cancelled may have one).</summary>
public sealed record ReasonRequest(string? Reason, DateTimeOffset? At);

public sealed class ReasonRequestValidator : AbstractValidator<ReasonRequest>
{
    public ReasonRequestValidator() => RuleFor(x => x.Reason).MaximumLength(500);
}

/// <summary>Unfilled must say why.</summary>
public sealed record UnfilledRequest(string? Reason, DateTimeOffset? At);

public sealed class UnfilledRequestValidator : AbstractValidator<UnfilledRequest>
{
    public UnfilledRequestValidator() => RuleFor(x => x.Reason).IsText();
}

/// <summary>A charge the supplier stated above the maximum cost (from ISO 18626), waiting for the finance officer.</summary>
public sealed record DisputeResponse(decimal StatedCharge, decimal MaximumCost, DateTimeOffset RaisedAt)
{
    public static DisputeResponse? From(ChargeDispute? d) => d is null ? null : new(Fen.ToAmount(d.StatedChargeFen), Fen.ToAmount(d.MaximumCostFen), d.RaisedAt);
}

/// <summary>The finance officer's decision on a disputed charge.</summary>
public sealed record DisputeResolutionRequest(bool? Accept, string? Reason, DateTimeOffset? At);

public sealed class DisputeResolutionValidator : AbstractValidator<DisputeResolutionRequest>
{
    public DisputeResolutionValidator()
    {
        RuleFor(x => x.Accept).NotNull();
        RuleFor(x => x.Reason).IsText();
    }
}

/// <summary>A refund of part of a loan's charge: its fee (default) or its replacement cost.</summary>
public sealed record RefundRequest(string? RefundId, ChargeKind? Charge, decimal? Amount, string? Reason, DateTimeOffset? At);

/// <summary>A refund of part of a delivery's fee (a delivery has no other charge, so it names none).</summary>
public sealed record DeliveryRefundRequest(string? RefundId, decimal? Amount, string? Reason, DateTimeOffset? At);

public sealed class RefundRequestValidator : AbstractValidator<RefundRequest>
{
    public RefundRequestValidator() => Refund(this, x => x.RefundId, x => x.Amount, x => x.Reason);

    /// <summary>The rules both refunds share.</summary>
    public static void Refund<T>(AbstractValidator<T> v, System.Linq.Expressions.Expression<Func<T, string?>> id,
        System.Linq.Expressions.Expression<Func<T, decimal?>> amount, System.Linq.Expressions.Expression<Func<T, string?>> reason)
    {
        v.RuleFor(id).IsCode();
        v.RuleFor(amount).NotNull().IsAmount().Must(a => a is null or > 0).WithMessage("must be more than 0");
        v.RuleFor(reason).IsText();
    }
}

public sealed class DeliveryRefundRequestValidator : AbstractValidator<DeliveryRefundRequest>
{
    public DeliveryRefundRequestValidator() => RefundRequestValidator.Refund(this, x => x.RefundId, x => x.Amount, x => x.Reason);
}
