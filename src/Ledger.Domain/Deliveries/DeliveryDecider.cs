using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;

namespace Ledger.Domain.Deliveries;

public static class DeliveryDecider
{
    public static IDeliveryEvent[] Decide(string deliveryId, IDeliveryCommand command, Delivery? state, Alliance alliance)
    {
        var date = alliance.BusinessDate(command.At);
        return (command, state) switch
        {
            (RequestDelivery c, null) => Request(c, alliance, date),
            (RequestDelivery c, { } s) => c.Requester == s.Requester && c.Supplier == s.Supplier && c.Title == s.Title &&
                                          c.Rush == s.Rush && c.MaximumCostFen == s.MaximumCostFen
                ? []
                : throw new Rejected(DeliveryCodes.DeliveryIdReused),
            (_, null) => throw new NotFound(DeliveryCodes.DeliveryMustExist, $"delivery {deliveryId} does not exist"),

            (FulfilDelivery { DisputeOverMaximum: true, StatedChargeFen: { } stated } c, { Status: DeliveryStatus.Requested, MaximumCostFen: { } max } s)
                when stated > max => s.Dispute?.StatedChargeFen == stated ? [] : [new DeliveryChargeDisputed(s.Id, c.Pages, stated, max, c.At, date)],
            (FulfilDelivery c, { Status: DeliveryStatus.Requested } s) => Fulfil(c, s, alliance, date),
            (ResolveDeliveryChargeDispute c, { Status: DeliveryStatus.Requested, Dispute: { } d } s) => c.Accept
                ? [.. Fulfil(new FulfilDelivery(s.DisputedPages, d.StatedChargeFen, c.At, c.GrantAvailableFen), s, alliance, date, overrideMaximum: true),
                    new DeliveryChargeDisputeResolved(s.Id, true, c.Reason, date)]
                : [new DeliveryChargeDisputeResolved(s.Id, false, c.Reason, date)],
            (ResolveDeliveryChargeDispute, _) => throw new Rejected(ChargeCodes.ChargeDisputeMustBeOpen),
            (FulfilDelivery c, { Status: DeliveryStatus.Fulfilled, Fee: { } fee } s) =>
                c.Pages == s.Pages && (c.StatedChargeFen is null || c.StatedChargeFen == fee.FeeFen)
                    ? []
                    : throw new Rejected(DeliveryCodes.DeliveryFulfilledOtherwise),
            (FulfilDelivery, _) => throw new Rejected(DeliveryCodes.DeliveryMustBeRequestedToFulfil),

            (MarkDeliveryUnfilled c, { Status: DeliveryStatus.Requested } s) => At(c, s, () =>
                [new DeliveryUnfilled(s.Id, s.Requester, s.Supplier, c.Reason, c.At, date)]),
            (MarkDeliveryUnfilled, { Status: DeliveryStatus.Unfilled }) => [],
            (MarkDeliveryUnfilled, _) => throw new Rejected(DeliveryCodes.DeliveryMustBeOpenToUnfill),

            (CancelDelivery c, { Status: DeliveryStatus.Requested } s) => At(c, s, () =>
                [new DeliveryCancelled(s.Id, s.Requester, s.Supplier, c.Reason, c.At, date)]),
            (CancelDelivery, { Status: DeliveryStatus.Cancelled }) => [],
            (CancelDelivery, _) => throw new Rejected(DeliveryCodes.DeliveryMustBeOpenToCancel),

            (RefundDeliveryCharge c, { } s) => Refund(c, s, date),
            _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
        };
    }

    private static IDeliveryEvent[] Request(RequestDelivery c, Alliance alliance, DateOnly date)
    {
        Parties.MustBeMembers(alliance, c.Requester, c.Supplier, date);
        return [new DeliveryRequested(c.DeliveryId, c.Requester, c.Supplier, c.Title, c.Rush, c.MaximumCostFen, c.At, date)];
    }

    private static IDeliveryEvent[] Fulfil(FulfilDelivery c, Delivery s, Alliance alliance, DateOnly date, bool overrideMaximum = false)
    {
        Parties.MustNotPrecede(c.At, s.RequestedAt);
        Parties.MustBeMembers(alliance, s.Requester, s.Supplier, date);
        var policy = Parties.PolicyOn(alliance, date);
        var policyFee = policy.DeliveryBaseFeeFen + c.Pages * policy.PerPageFen + (s.Rush ? policy.RushSurchargeFen : 0);
        var requester = alliance.Members[s.Requester];
        var (charge, withheld) = Pricing.Price(policy, policyFee, c.StatedChargeFen, requester.RegionGroup, overrideMaximum ? null : s.MaximumCostFen, c.GrantAvailableFen);
        var fulfilled = new DeliveryFulfilled(s.Id, s.Requester, s.Supplier, s.RequestedAt, c.At, date, c.Pages, charge, c.StatedChargeFen is not null);
        return withheld > 0
            ? [fulfilled, new Funding.DeliveryGrantWithheld(s.Id, policy.FundingReference ?? "", withheld, c.GrantAvailableFen, date, policy.BudgetLine)]
            : [fulfilled];
    }

    private static IDeliveryEvent[] Refund(RefundDeliveryCharge c, Delivery s, DateOnly date)
    {
        var split = RefundRules.Decide(s.Refunds, c.RefundId, ChargeKind.Fee, c.AmountFen, c.Reason, s.Fee);
        return split is null
            ? []
            : [new DeliveryChargeRefunded(s.Id, c.RefundId, s.Requester, s.Supplier, split, s.Fee!.GrantAccount, c.Reason, c.At, date, s.Fee.BudgetLine)];
    }

    private static IDeliveryEvent[] At(IDeliveryCommand c, Delivery s, Func<IDeliveryEvent[]> events)
    {
        Parties.MustNotPrecede(c.At, s.RequestedAt);
        return events();
    }

    public static Delivery Evolve(Delivery? state, IDeliveryEvent e) => (state, e) switch
    {
        (null, DeliveryRequested r) => new Delivery(r.DeliveryId, r.Requester, r.Supplier, r.Title, r.Rush, r.MaximumCostFen,
            DeliveryStatus.Requested, r.RequestedAt, null, null, null, null, []),
        ({ } s, DeliveryFulfilled x) => s with { Status = DeliveryStatus.Fulfilled, FulfilledAt = x.FulfilledAt, Pages = x.Pages, Fee = x.Charge },
        ({ } s, DeliveryUnfilled x) => s with { Status = DeliveryStatus.Unfilled, Reason = x.Reason },
        ({ } s, DeliveryCancelled x) => s with { Status = DeliveryStatus.Cancelled, Reason = x.Reason },
        ({ } s, DeliveryChargeRefunded x) => s with
        {
            Refunds = [.. s.Refunds, new RecordedRefund(x.RefundId, ChargeKind.Fee, x.Refund.AmountFen, x.Reason)],
        },
        ({ } s, Funding.DeliveryGrantWithheld) => s,
        ({ } s, DeliveryChargeDisputed d) => s with { Dispute = new ChargeDispute(d.StatedChargeFen, d.MaximumCostFen, d.RaisedAt), DisputedPages = d.Pages },
        ({ } s, DeliveryChargeDisputeResolved) => s with { Dispute = null, DisputedPages = 0 },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name}"),
    };
}
