using Ledger.Api.Charges;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;

namespace Ledger.Api.Loans;

public sealed record LoanResponse(
    string LoanId, string Borrower, string Lender, string Title, decimal? MaximumCost, LoanStatus Status,
    DateTimeOffset RequestedAt, DateTimeOffset? ShippedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? ReturnedAt,
    ChargeResponse? Charge, decimal? ReplacementCost, string? Reason, IReadOnlyList<RefundResponse> Refunds, long Version, DisputeResponse? Dispute = null)
{
    public static LoanResponse From(Loan l, long version) => new(l.Id, l.Borrower, l.Lender, l.Title,
        l.MaximumCostFen is { } m ? Fen.ToAmount(m) : null, l.Status, l.RequestedAt, l.ShippedAt, l.ReceivedAt, l.ReturnedAt,
        ChargeResponse.From(l.Fee), l.Replacement is { } r ? Fen.ToAmount(r.FeeFen) : null, l.Reason,
        RefundResponse.From(l.Refunds), version, DisputeResponse.From(l.Dispute));
}
