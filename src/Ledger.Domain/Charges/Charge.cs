using Ledger.Domain.Alliances;
using Ledger.Domain.Ledger;
using Ledger.Domain.Money;

namespace Ledger.Domain.Charges;

// A charge is what one filled request (a shipped loan, a fulfilled delivery) costs: the fee the borrowing library
// owes the lending library, the part of it a grant pays as a subsidy, and the reward the grant pays the supplier.
// Loans and deliveries price and refund charges the same way, so the rules live here once.

/// <param name="FeeFen">What the lender receives for the request.</param>
/// <param name="SubsidyFen">The part of the fee the grant pays for the borrower.</param>
/// <param name="RewardFen">What the grant pays the lender on top of the fee.</param>
/// <param name="GrantAccount">The account that pays subsidy and reward; null when both are zero.</param>
/// <param name="PolicyEffectiveFrom">The fee policy that priced the charge (its effective date).</param>
/// <param name="BudgetLine">The budget line of the grant's sub-project that subsidy and reward are spent on.</param>
public sealed record Charge(long FeeFen, long SubsidyFen, long RewardFen, string? GrantAccount, DateOnly? PolicyEffectiveFrom, string? BudgetLine = null)
{
    public long BorrowerPaysFen => FeeFen - SubsidyFen;
}

/// <summary>A charge the supplier stated above the borrower's maximum cost, waiting for the finance officer.</summary>
public sealed record ChargeDispute(long StatedChargeFen, long MaximumCostFen, DateTimeOffset RaisedAt);

/// <summary>A refund of part or all of a charge, split the way the charge was paid.</summary>
public sealed record ChargeRefund(long AmountFen, long BorrowerPartFen, long GrantPartFen, long RewardReturnedFen);

public static class ChargeCodes
{
    public const string FeePolicyMustBeInForce = "fee_policy_must_be_in_force";
    public const string ChargeMustNotExceedMaximumCost = "charge_must_not_exceed_maximum_cost";
    public const string RefundMustNotExceedRemaining = "refund_must_not_exceed_remaining_charge";
    public const string RefundIdReused = "refund_id_must_not_be_reused";
    public const string ChargeMustExist = "charge_must_exist_to_refund";
    public const string MemberMustBeAdmitted = "member_must_be_admitted_on_business_date";
    public const string LibraryMustNotServeItself = "borrower_and_lender_must_differ";
    public const string TimeMustNotPrecedeRequest = "time_must_not_precede_request";
    public const string ChargeDisputeMustBeOpen = "charge_dispute_must_be_open";
}

public static class Pricing
{
    /// <summary>
    /// Prices a filled request: the fee is the policy's (<paramref name="policyFeeFen"/>) unless the supplier states
    /// one; the subsidy follows the borrower's region group; the reward is the policy's per filled request.
    /// </summary>
    public static Charge Price(FeePolicy policy, long policyFeeFen, long? statedFeeFen, string borrowerRegionGroup, long? maximumCostFen) =>
        Price(policy, policyFeeFen, statedFeeFen, borrowerRegionGroup, maximumCostFen, long.MaxValue).Charge;

    /// <summary>
    /// Prices a filled request against what the grant can still pay (<paramref name="grantAvailableFen"/>): when subsidy
    /// and reward together exceed it, neither is granted, the borrower pays the whole fee, and the second value says
    /// how much was wanted — the grant is never overspent.
    /// </summary>
    public static (Charge Charge, long WithheldFen) Price(FeePolicy policy, long policyFeeFen, long? statedFeeFen, string borrowerRegionGroup,
        long? maximumCostFen, long grantAvailableFen)
    {
        var fee = statedFeeFen ?? policyFeeFen;
        if (maximumCostFen is { } max && fee > max) throw new Rejected(ChargeCodes.ChargeMustNotExceedMaximumCost,
            $"the charge {Fen.ToAmount(fee)} exceeds the borrower's maximum cost {Fen.ToAmount(max)}");
        var subsidy = Subsidy(fee, policy.SubsidyFor(borrowerRegionGroup));
        var reward = policy.SupplierRewardFen;
        if (subsidy + reward > grantAvailableFen) return (new Charge(fee, 0, 0, null, policy.EffectiveFrom), subsidy + reward);
        var grant = subsidy + reward > 0 ? Account.Grant(policy.FundingReference!) : null;
        return (new Charge(fee, subsidy, reward, grant, policy.EffectiveFrom, grant is null ? null : policy.BudgetLine ?? Funding.BudgetLines.Subsidy), 0);
    }

    /// <summary>The rate times the fee, rounded down to the fen, never above the cap or the fee.</summary>
    public static long Subsidy(long feeFen, SubsidyRule? rule)
    {
        if (rule is null) return 0;
        var byRate = (long)decimal.Floor(feeFen * (decimal)rule.RateBasisPoints / 10_000m);
        return Math.Min(Math.Min(byRate, rule.CapFen), feeFen);
    }

    /// <summary>A charge that no grant touches (a lost item's replacement cost).</summary>
    public static Charge Unsubsidised(long feeFen) => new(feeFen, 0, 0, null, null);
}

public static class Refunds
{
    /// <summary>
    /// Splits a refund between borrower and grant in the proportion they paid. The split is computed on the
    /// cumulative refunded amount, so partial refunds never return more to the grant than it paid. The refund that
    /// completes a full refund also takes back the supplier's reward.
    /// </summary>
    public static ChargeRefund Split(Charge charge, long refundedBeforeFen, long amountFen)
    {
        if (amountFen <= 0 || refundedBeforeFen + amountFen > charge.FeeFen)
            throw new Rejected(ChargeCodes.RefundMustNotExceedRemaining,
                $"{Fen.ToAmount(charge.FeeFen - refundedBeforeFen)} of the charge is left to refund");
        var grantBefore = GrantShare(charge, refundedBeforeFen);
        var grantAfter = GrantShare(charge, refundedBeforeFen + amountFen);
        var grantPart = grantAfter - grantBefore;
        var rewardBack = refundedBeforeFen + amountFen == charge.FeeFen ? charge.RewardFen : 0;
        return new ChargeRefund(amountFen, amountFen - grantPart, grantPart, rewardBack);
    }

    private static long GrantShare(Charge charge, long cumulativeFen) =>
        cumulativeFen == 0 || charge.SubsidyFen == 0
            ? 0
            : Allocation.LargestRemainder(cumulativeFen, [charge.BorrowerPaysFen, charge.SubsidyFen])[1];
}
