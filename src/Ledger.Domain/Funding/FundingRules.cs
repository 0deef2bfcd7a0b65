using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;
using Ledger.Domain.Purchases;

namespace Ledger.Domain.Funding;

/// <summary>
/// What a movement does. <see cref="Withheld"/> moves nothing: it records a subsidy and reward the grant could not pay
/// (what was wanted), so an auditor can find every request the grant turned away (stored as a number: append only).
/// </summary>
public enum FundingKind { Allocated, Returned, MovedIn, MovedOut, Spent, Withheld }

/// <summary>
/// One movement of a sub-project's funds, derived from an event: allocated, returned, moved, or spent on a budget line
/// (an expenditure, its reversal as a negative amount, the subsidy and reward of a filled request, a purchase cover).
/// </summary>
public sealed record FundingMovement(string SubProject, string? Line, FundingKind Kind, long AmountFen, int? FiscalYear,
    int SubsidisedRequests = 0, int SubsidisedPages = 0, long SubsidyFen = 0, long RewardFen = 0, string? PurchaseId = null)
{
    /// <summary>What the movement does to the sub-project's available funds: allocations and moves in add, the rest take away.</summary>
    public long SignedFen => Kind switch
    {
        FundingKind.Allocated or FundingKind.MovedIn => AmountFen,
        FundingKind.Withheld => 0,
        _ => -AmountFen,
    };
}

public static class FundingRules
{
    private const string GrantPrefix = "grant:";

    public static IReadOnlyList<FundingMovement> For(object @event) => @event switch
    {
        FundsAllocated e => [new(e.SubProject, null, FundingKind.Allocated, e.AmountFen, e.FiscalYear)],
        FundsReturned e => [new(e.SubProject, null, FundingKind.Returned, e.AmountFen, e.BusinessDate.Year)],
        FundsMovedIn e => [new(e.SubProject, null, FundingKind.MovedIn, e.AmountFen, e.BusinessDate.Year)],
        FundsMovedOut e => [new(e.SubProject, null, FundingKind.MovedOut, e.AmountFen, e.BusinessDate.Year)],
        ExpenditureRecorded e => [new(e.SubProject, e.Line, FundingKind.Spent, e.AmountFen, e.BusinessDate.Year)],
        ExpenditureReversed e => [new(e.SubProject, e.Line, FundingKind.Spent, -e.AmountFen, e.BusinessDate.Year)],
        LoanShipped e => Charged(e.Charge, e.BusinessDate, 0),
        DeliveryFulfilled e => Charged(e.Charge, e.BusinessDate, e.Pages),
        LoanChargeRefunded e => Refunded(e.GrantAccount, e.BudgetLine, e.Refund, e.BusinessDate),
        DeliveryChargeRefunded e => Refunded(e.GrantAccount, e.BudgetLine, e.Refund, e.BusinessDate),
        LoanGrantWithheld e => Withheld(e.FundingReference, e.BudgetLine, e.WantedFen, e.BusinessDate),
        DeliveryGrantWithheld e => Withheld(e.FundingReference, e.BudgetLine, e.WantedFen, e.BusinessDate),
        PurchaseCovered e => [new(e.Cover.FundingReference, e.Cover.BudgetLine ?? BudgetLines.ResourcePurchase, FundingKind.Spent, e.Cover.AmountFen,
            e.BusinessDate.Year, PurchaseId: e.PurchaseId)],
        _ => [],
    };

    /// <summary>The sub-project code a grant account names, or null for another account.</summary>
    public static string? SubProjectOf(string? grantAccount) =>
        grantAccount is not null && grantAccount.StartsWith(GrantPrefix, StringComparison.Ordinal) ? grantAccount[GrantPrefix.Length..] : null;

    private static FundingMovement[] Charged(Charge c, DateOnly date, int pages) =>
        SubProjectOf(c.GrantAccount) is { } sub && c.SubsidyFen + c.RewardFen > 0
            ? [new(sub, c.BudgetLine ?? BudgetLines.Subsidy, FundingKind.Spent, c.SubsidyFen + c.RewardFen, date.Year,
                c.SubsidyFen > 0 ? 1 : 0, c.SubsidyFen > 0 ? pages : 0, c.SubsidyFen, c.RewardFen)]
            : [];

    private static FundingMovement[] Refunded(string? grantAccount, string? line, ChargeRefund r, DateOnly date) =>
        SubProjectOf(grantAccount) is { } sub && r.GrantPartFen + r.RewardReturnedFen > 0
            ? [new(sub, line ?? BudgetLines.Subsidy, FundingKind.Spent, -(r.GrantPartFen + r.RewardReturnedFen), date.Year,
                SubsidyFen: -r.GrantPartFen, RewardFen: -r.RewardReturnedFen)]
            : [];

    /// <summary>A request the grant could not pay: one request, what was wanted, on the policy's line (default subsidy); no funds move.</summary>
    private static FundingMovement[] Withheld(string subProject, string? line, long wantedFen, DateOnly date) =>
        subProject.Length > 0 && wantedFen > 0 ? [new(subProject, line ?? BudgetLines.Subsidy, FundingKind.Withheld, wantedFen, date.Year, SubsidisedRequests: 1)] : [];

    /// <summary>What a sub-project can still spend, from its movements.</summary>
    public static long Available(IEnumerable<FundingMovement> movements) => movements.Sum(m => m.SignedFen);
}
