using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;

namespace Ledger.Domain.Tests.Deliveries;

public class DeliveryDeciderTests
{
    private static readonly RequestDelivery Request = new("D1", "XZMU", "SEU", "CMJ 139(4)", Rush: true, null, TestAlliance.At("2026-11-03T09:00:00"));
    private static DateTimeOffset Later(int hours) => Request.At.AddHours(hours);

    private Delivery? state;

    private IDeliveryEvent[] When(IDeliveryCommand c, Alliance? alliance = null)
    {
        var events = DeliveryDecider.Decide("D1", c, state, alliance ?? TestAlliance.Build());
        foreach (var e in events) state = DeliveryDecider.Evolve(state, e);
        return events;
    }

    [Fact]
    public void a_fulfilment_is_charged_base_plus_pages_plus_rush_with_subsidy_and_reward()
    {
        When(Request);
        var e = When(new FulfilDelivery(12, null, Later(4))).ShouldHaveSingleItem().ShouldBeOfType<DeliveryFulfilled>();
        // 2.00 + 12 × 0.30 + 10.00 = 15.60; XZMU (north) is subsidised 50 %: 7.80.
        e.Charge.ShouldBe(new Charge(15_60, 7_80, 5_00, "grant:JALIS-IV-SUB", TestAlliance.Joined, "subsidy"));
        e.Pages.ShouldBe(12);
    }

    [Fact]
    public void a_stated_charge_replaces_the_policy_price()
    {
        When(Request with { Rush = false });
        When(new FulfilDelivery(3, 9_99, Later(4))).ShouldHaveSingleItem().ShouldBeOfType<DeliveryFulfilled>().Charge.FeeFen.ShouldBe(9_99);
    }

    [Fact]
    public void a_fulfilment_repeated_is_a_retry_but_not_with_other_pages()
    {
        When(Request);
        When(new FulfilDelivery(12, null, Later(4)));
        When(new FulfilDelivery(12, null, Later(5))).ShouldBeEmpty();
        Reject.CodeOf(() => When(new FulfilDelivery(13, null, Later(5)))).ShouldBe(DeliveryCodes.DeliveryFulfilledOtherwise);
    }

    [Fact]
    public void the_maximum_cost_limits_the_charge()
    {
        When(Request with { MaximumCostFen = 15_59 });
        Reject.CodeOf(() => When(new FulfilDelivery(12, null, Later(4)))).ShouldBe(ChargeCodes.ChargeMustNotExceedMaximumCost);
    }

    [Fact]
    public void unfilled_and_cancelled_only_before_fulfilment()
    {
        When(Request);
        When(new MarkDeliveryUnfilled("not held", Later(1))).ShouldHaveSingleItem().ShouldBeOfType<DeliveryUnfilled>();
        When(new MarkDeliveryUnfilled("not held", Later(2))).ShouldBeEmpty();
        Reject.CodeOf(() => When(new FulfilDelivery(1, null, Later(3)))).ShouldBe(DeliveryCodes.DeliveryMustBeRequestedToFulfil);
        Reject.CodeOf(() => When(new CancelDelivery(null, Later(3)))).ShouldBe(DeliveryCodes.DeliveryMustBeOpenToCancel);
    }

    [Fact]
    public void a_request_id_reused_for_other_content_is_rejected()
    {
        When(Request);
        When(Request).ShouldBeEmpty();
        Reject.CodeOf(() => When(Request with { Rush = false })).ShouldBe(DeliveryCodes.DeliveryIdReused);
    }

    [Fact]
    public void a_full_refund_returns_subsidy_to_the_grant_and_takes_back_the_reward()
    {
        When(Request);
        When(new FulfilDelivery(12, null, Later(4)));
        var e = When(new RefundDeliveryCharge("R1", 15_60, "wrong article", Later(6))).ShouldHaveSingleItem()
            .ShouldBeOfType<DeliveryChargeRefunded>();
        e.Refund.ShouldBe(new ChargeRefund(15_60, 7_80, 7_80, 5_00));
        Reject.CodeOf(() => When(new RefundDeliveryCharge("R2", 1, "again", Later(7)))).ShouldBe(ChargeCodes.RefundMustNotExceedRemaining);
    }

    [Fact]
    public void a_delivery_that_does_not_exist_is_not_found() =>
        Reject.NotFoundCodeOf(() => When(new FulfilDelivery(1, null, Later(1)))).ShouldBe(DeliveryCodes.DeliveryMustExist);
}
