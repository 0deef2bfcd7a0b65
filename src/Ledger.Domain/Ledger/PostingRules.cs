using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;

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

    private static PostingLine[] NonZero(params PostingLine[] lines) => lines.Where(l => l.AmountFen != 0).ToArray();
}
