using Ledger.Domain.Charges;

namespace Ledger.Domain.Deliveries;

// A document delivery: the requesting library asks a supplier for a copy → fulfilled (pages delivered; the charge
// arises: base fee + pages × per-page fee + rush surcharge, or a charge the supplier states) or unfilled; cancelled
// before fulfilment. A charge may be refunded in part or in full by later refund events.

public enum DeliveryStatus { Requested, Fulfilled, Unfilled, Cancelled }

public interface IDeliveryCommand { DateTimeOffset At { get; } }
public interface IDeliveryEvent { string DeliveryId { get; } }

public sealed record RequestDelivery(string DeliveryId, string Requester, string Supplier, string Title, bool Rush,
    long? MaximumCostFen, DateTimeOffset At) : IDeliveryCommand;
/// <param name="GrantAvailableFen">What the policy's grant can still pay, read by the command path from the grant's running total (checked again at commit).</param>
public sealed record FulfilDelivery(int Pages, long? StatedChargeFen, DateTimeOffset At, long GrantAvailableFen = long.MaxValue,
    bool DisputeOverMaximum = false) : IDeliveryCommand;

/// <summary>The finance officer settles a disputed charge: accepted, the delivery is fulfilled at it; refused, the dispute closes.</summary>
public sealed record ResolveDeliveryChargeDispute(bool Accept, string Reason, DateTimeOffset At, long GrantAvailableFen = long.MaxValue) : IDeliveryCommand;
public sealed record MarkDeliveryUnfilled(string Reason, DateTimeOffset At) : IDeliveryCommand;
public sealed record CancelDelivery(string? Reason, DateTimeOffset At) : IDeliveryCommand;
public sealed record RefundDeliveryCharge(string RefundId, long AmountFen, string Reason, DateTimeOffset At) : IDeliveryCommand;

public sealed record DeliveryRequested(string DeliveryId, string Requester, string Supplier, string Title, bool Rush,
    long? MaximumCostFen, DateTimeOffset RequestedAt, DateOnly BusinessDate) : IDeliveryEvent;
public sealed record DeliveryChargeDisputed(string DeliveryId, int Pages, long StatedChargeFen, long MaximumCostFen, DateTimeOffset RaisedAt,
    DateOnly BusinessDate) : IDeliveryEvent;
public sealed record DeliveryChargeDisputeResolved(string DeliveryId, bool Accepted, string Reason, DateOnly BusinessDate) : IDeliveryEvent;
public sealed record DeliveryFulfilled(string DeliveryId, string Requester, string Supplier, DateTimeOffset RequestedAt,
    DateTimeOffset FulfilledAt, DateOnly BusinessDate, int Pages, Charge Charge, bool ChargeStated) : IDeliveryEvent;
public sealed record DeliveryUnfilled(string DeliveryId, string Requester, string Supplier, string Reason,
    DateTimeOffset UnfilledAt, DateOnly BusinessDate) : IDeliveryEvent;
public sealed record DeliveryCancelled(string DeliveryId, string Requester, string Supplier, string? Reason,
    DateTimeOffset CancelledAt, DateOnly BusinessDate) : IDeliveryEvent;
public sealed record DeliveryChargeRefunded(string DeliveryId, string RefundId, string Requester, string Supplier,
    ChargeRefund Refund, string? GrantAccount, string Reason, DateTimeOffset RefundedAt, DateOnly BusinessDate, string? BudgetLine = null) : IDeliveryEvent;

public sealed record Delivery(
    string Id, string Requester, string Supplier, string Title, bool Rush, long? MaximumCostFen, DeliveryStatus Status,
    DateTimeOffset RequestedAt, DateTimeOffset? FulfilledAt, int? Pages, Charge? Fee, string? Reason,
    IReadOnlyList<RecordedRefund> Refunds, ChargeDispute? Dispute = null, int DisputedPages = 0);

public static class DeliveryCodes
{
    public const string DeliveryMustExist = "delivery_must_exist";
    public const string DeliveryIdReused = "delivery_id_must_not_be_reused";
    public const string DeliveryMustBeRequestedToFulfil = "delivery_must_be_requested_to_fulfil";
    public const string DeliveryFulfilledOtherwise = "delivery_must_not_be_fulfilled_twice_with_other_content";
    public const string DeliveryMustBeOpenToUnfill = "delivery_must_be_requested_to_mark_unfilled";
    public const string DeliveryMustBeOpenToCancel = "delivery_must_be_requested_to_cancel";
}
