using Ledger.Domain.Charges;
using Ledger.Domain.CostShares;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Funding;
using Ledger.Domain.Loans;
using Ledger.Domain.Payments;
using Ledger.Domain.Purchases;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.Ledger;

/// <summary>
/// Which accounts an event debits and credits. Every event that moves money yields lines that sum to zero; every
/// other event yields none. Postings are derived, never stored by hand, so a rebuild gives the same ledger.
/// </summary>
public static class PostingRules
{
    public static IReadOnlyList<PostingLine> For(object @event) => @event switch
    {
        LoanShipped e => ChargeLines(e.Borrower, e.Lender, e.Charge),
        LoanLost e => ChargeLines(e.Borrower, e.Lender, Pricing.Unsubsidised(e.ReplacementCostFen)),
        LoanChargeRefunded e => RefundLines(e.Borrower, e.Lender, e.Refund, e.GrantAccount),
        DeliveryFulfilled e => ChargeLines(e.Requester, e.Supplier, e.Charge),
        DeliveryChargeRefunded e => RefundLines(e.Requester, e.Supplier, e.Refund, e.GrantAccount),
        PurchaseInvoiced e => NonZero(new PostingLine(Account.Purchase(e.PurchaseId), -e.AmountFen), new PostingLine(Account.Vendor(e.Vendor), e.AmountFen)),
        PurchaseAllocated e => SharesLines(e.Shares, -1, Account.Purchase(e.PurchaseId)),
        PurchaseCovered e => CoverLines(e.Cover, 1),
        PurchaseReallocated e =>
        [
            .. SharesLines(e.PreviousShares, 1, Account.Purchase(e.PurchaseId)),
            .. e.PreviousCovers.SelectMany(c => CoverLines(c, -1)),
            .. SharesLines(e.Shares, -1, Account.Purchase(e.PurchaseId)),
            .. e.Covers.SelectMany(c => CoverLines(c, 1)),
        ],
        VendorPaid e => NonZero(new PostingLine(Account.Vendor(e.Vendor), -e.AmountFen), new PostingLine(Account.Cash, e.AmountFen)),
        CostShareAllocated e => SharesLines(e.Shares, -1, e.PayeeAccount),
        CostShareReallocated e => [.. SharesLines(e.PreviousShares, 1, e.PayeeAccount), .. SharesLines(e.Shares, -1, e.PayeeAccount)],
        CostShareReversed e => SharesLines(e.ReversedShares, 1, e.PayeeAccount),
        FundsAllocated e => Pair(Account.Department(e.DepartmentCode), Account.Grant(e.SubProject), e.AmountFen),
        FundsReturned e => Pair(Account.Grant(e.SubProject), Account.Department(e.DepartmentCode), e.AmountFen),
        FundsMovedOut e => Pair(Account.Grant(e.SubProject), Account.Transfer(e.MoveId), e.AmountFen),
        FundsMovedIn e => Pair(Account.Transfer(e.MoveId), Account.Grant(e.SubProject), e.AmountFen),
        ExpenditureRecorded e => Pair(Account.Grant(e.SubProject), Account.Cash, e.AmountFen),
        ExpenditureReversed e => Pair(Account.Cash, Account.Grant(e.SubProject), e.AmountFen),
        PaymentRecorded e => e.Direction == PaymentDirection.MemberToCentre
            ? NonZero(new PostingLine(Account.Member(e.Member), e.AmountFen), new PostingLine(Account.Cash, -e.AmountFen))
            : NonZero(new PostingLine(Account.Member(e.Member), -e.AmountFen), new PostingLine(Account.Cash, e.AmountFen)),
        _ => [],
    };

    /// <summary>The business date an event's postings belong to, or null for an event that moves no money.</summary>
    public static DateOnly? BusinessDate(object @event) => @event switch
    {
        LoanShipped e => e.BusinessDate,
        LoanLost e => e.BusinessDate,
        LoanChargeRefunded e => e.BusinessDate,
        DeliveryFulfilled e => e.BusinessDate,
        DeliveryChargeRefunded e => e.BusinessDate,
        PurchaseInvoiced e => e.BusinessDate,
        PurchaseAllocated e => e.BusinessDate,
        PurchaseCovered e => e.BusinessDate,
        PurchaseReallocated e => e.BusinessDate,
        VendorPaid e => e.BusinessDate,
        CostShareAllocated e => e.BusinessDate,
        CostShareReallocated e => e.BusinessDate,
        CostShareReversed e => e.BusinessDate,
        PaymentRecorded e => e.BusinessDate,
        FundsAllocated e => e.BusinessDate,
        FundsReturned e => e.BusinessDate,
        FundsMovedOut e => e.BusinessDate,
        FundsMovedIn e => e.BusinessDate,
        ExpenditureRecorded e => e.BusinessDate,
        ExpenditureReversed e => e.BusinessDate,
        _ => null,
    };

    /// <summary>Fee F, subsidy S, reward R: debit borrower F−S, debit grant S+R, credit lender F+R.</summary>
    private static PostingLine[] ChargeLines(string borrower, string lender, Charge c) => NonZero(
        new PostingLine(Account.Member(borrower), -c.BorrowerPaysFen),
        new PostingLine(c.GrantAccount ?? "", -(c.SubsidyFen + c.RewardFen)),
        new PostingLine(Account.Member(lender), c.FeeFen + c.RewardFen));

    /// <summary>The reverse of a charge for the refunded part: the lender gives back the amount (and the reward).</summary>
    private static PostingLine[] RefundLines(string borrower, string lender, ChargeRefund r, string? grant) => NonZero(
        new PostingLine(Account.Member(lender), -(r.AmountFen + r.RewardReturnedFen)),
        new PostingLine(Account.Member(borrower), r.BorrowerPartFen),
        new PostingLine(grant ?? "", r.GrantPartFen + r.RewardReturnedFen));

    /// <summary>
    /// Shares charged (sign −1: debit each member, credit the counter account the total) or given back (sign +1).
    /// </summary>
    private static PostingLine[] SharesLines(IReadOnlyList<Share> shares, int sign, string counterAccount) => NonZero(
    [
        .. shares.Select(x => new PostingLine(Account.Member(x.Member), sign * x.AmountFen)),
        new PostingLine(counterAccount, -sign * shares.Sum(x => x.AmountFen)),
    ]);

    /// <summary>A grant paying instead of the members (sign +1: debit the grant, credit the members), or its reversal.</summary>
    private static PostingLine[] CoverLines(Cover c, int sign) => NonZero(
    [
        new PostingLine(Account.Grant(c.FundingReference), -sign * c.AmountFen),
        .. c.Split.Select(x => new PostingLine(Account.Member(x.Member), sign * x.AmountFen)),
    ]);

    /// <summary>Money from one account to another: debit the first, credit the second.</summary>
    private static PostingLine[] Pair(string from, string to, long amountFen) =>
        NonZero(new PostingLine(from, -amountFen), new PostingLine(to, amountFen));

    private static PostingLine[] NonZero(params PostingLine[] lines) => lines.Where(l => l.AmountFen != 0).ToArray();
}
