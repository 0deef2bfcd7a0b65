using Ledger.Api.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Money;

namespace Ledger.Api.Deliveries;

public sealed record DeliveryResponse(
    string DeliveryId, string Requester, string Supplier, string Title, bool Rush, decimal? MaximumCost,
    DeliveryStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? FulfilledAt, int? Pages, ChargeResponse? Charge,
    string? Reason, IReadOnlyList<RefundResponse> Refunds, long Version, DisputeResponse? Dispute = null)
{
    public static DeliveryResponse From(Delivery d, long version) => new(d.Id, d.Requester, d.Supplier, d.Title, d.Rush,
        d.MaximumCostFen is { } m ? Fen.ToAmount(m) : null, d.Status, d.RequestedAt, d.FulfilledAt, d.Pages,
        ChargeResponse.From(d.Fee), d.Reason, RefundResponse.From(d.Refunds), version, DisputeResponse.From(d.Dispute));
}
