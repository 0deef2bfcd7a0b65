using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using Ledger.Contracts.V1;
using Ledger.Domain.CostShares;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Funding;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;
using Ledger.Domain.Purchases;
using Ledger.Domain.Sharing;

namespace Ledger.Api.Messaging;

/// <summary>The integration messages one stored event gives, each with its message id (the event's id; derived for the second and later).</summary>
public static class IntegrationEvents
{
    public static readonly Type[] Sources =
    [
        typeof(LoanShipped), typeof(LoanLost), typeof(DeliveryFulfilled), typeof(LoanChargeRefunded), typeof(DeliveryChargeRefunded),
        typeof(PurchaseAllocated), typeof(PurchaseReallocated), typeof(CostShareAllocated), typeof(CostShareReallocated),
        typeof(Domain.Payments.PaymentRecorded), typeof(Domain.Settlement.PeriodClosed), typeof(LoanGrantWithheld), typeof(DeliveryGrantWithheld),
    ];

    public static IEnumerable<(Guid MessageId, ILedgerIntegrationEvent Message)> From(IEvent e)
    {
        var messages = Map(e, e.TenantId, e.Timestamp).ToList();
        for (var i = 0; i < messages.Count; i++) yield return (i == 0 ? e.Id : Derived(e.Id, i), messages[i]);
    }

    private static IEnumerable<ILedgerIntegrationEvent> Map(IEvent e, string a, DateTimeOffset t)
    {
        static decimal M(long fen) => Fen.ToAmount(fen);
        switch (e.Data)
        {
            case LoanShipped x:
                yield return new ChargePosted(e.Id, e.Sequence, a, t, "loan", x.LoanId, x.Borrower, x.Lender, M(x.Charge.FeeFen), M(x.Charge.SubsidyFen),
                    M(x.Charge.RewardFen), M(x.Charge.BorrowerPaysFen), x.Charge.GrantAccount, x.BusinessDate);
                break;
            case LoanLost x:
                yield return new ChargePosted(e.Id, e.Sequence, a, t, "loan-replacement", x.LoanId, x.Borrower, x.Lender, M(x.ReplacementCostFen), 0, 0,
                    M(x.ReplacementCostFen), null, x.BusinessDate);
                break;
            case DeliveryFulfilled x:
                yield return new ChargePosted(e.Id, e.Sequence, a, t, "delivery", x.DeliveryId, x.Requester, x.Supplier, M(x.Charge.FeeFen),
                    M(x.Charge.SubsidyFen), M(x.Charge.RewardFen), M(x.Charge.BorrowerPaysFen), x.Charge.GrantAccount, x.BusinessDate);
                break;
            case LoanChargeRefunded x:
                yield return new RefundPosted(e.Id, e.Sequence, a, t, "loan", x.LoanId, x.RefundId, x.Borrower, x.Lender, M(x.Refund.AmountFen), x.BusinessDate);
                break;
            case DeliveryChargeRefunded x:
                yield return new RefundPosted(e.Id, e.Sequence, a, t, "delivery", x.DeliveryId, x.RefundId, x.Requester, x.Supplier, M(x.Refund.AmountFen), x.BusinessDate);
                break;
            case PurchaseAllocated x:
                yield return new AllocationMade(e.Id, e.Sequence, a, t, "joint-purchase", x.PurchaseId, M(x.TotalFen), Lines(x.Shares), false, x.BusinessDate);
                break;
            case PurchaseReallocated x:
                yield return new AllocationMade(e.Id, e.Sequence, a, t, "joint-purchase", x.PurchaseId, M(x.TotalFen), Lines(x.Shares), true, x.BusinessDate);
                break;
            case CostShareAllocated x:
                yield return new AllocationMade(e.Id, e.Sequence, a, t, "cost-share", x.CostShareId, M(x.AmountFen), Lines(x.Shares), false, x.BusinessDate);
                break;
            case CostShareReallocated x:
                yield return new AllocationMade(e.Id, e.Sequence, a, t, "cost-share", x.CostShareId, M(x.AmountFen), Lines(x.Shares), true, x.BusinessDate);
                break;
            case Domain.Payments.PaymentRecorded x:
                yield return new Contracts.V1.PaymentRecorded(e.Id, e.Sequence, a, t, x.PaymentId, x.Member,
                    x.Direction == Domain.Payments.PaymentDirection.MemberToCentre ? "member-to-centre" : "centre-to-member", M(x.AmountFen), x.PaidOn, x.BankReference);
                break;
            case Domain.Settlement.PeriodClosed x:
                yield return new Contracts.V1.PeriodClosed(e.Id, e.Sequence, a, t, x.PeriodKey, x.From, x.To, x.Netting.Postings);
                foreach (var s in x.Netting.Statements)
                    yield return new StatementIssued(e.Id, e.Sequence, a, t, x.PeriodKey, s.Member, M(s.OpeningFen), M(s.ClosingFen),
                        M(Math.Max(0, -s.ClosingFen)), M(Math.Max(0, s.ClosingFen)), s.Digest);
                break;
            case LoanGrantWithheld x:
                yield return new SubsidyRefused(e.Id, e.Sequence, a, t, "loan", x.LoanId, x.FundingReference, M(x.WantedFen), M(x.AvailableFen), x.BusinessDate);
                break;
            case DeliveryGrantWithheld x:
                yield return new SubsidyRefused(e.Id, e.Sequence, a, t, "delivery", x.DeliveryId, x.FundingReference, M(x.WantedFen), M(x.AvailableFen), x.BusinessDate);
                break;
        }
    }

    private static List<ShareLine> Lines(IEnumerable<Share> shares) => shares.Select(s => new ShareLine(s.Member, Fen.ToAmount(s.AmountFen))).ToList();

    /// <summary>A stable id for the i-th message of an event: the first 16 bytes of SHA-256(event id, i).</summary>
    public static Guid Derived(Guid eventId, int index) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventId:N}/{index}"))[..16]);
}
