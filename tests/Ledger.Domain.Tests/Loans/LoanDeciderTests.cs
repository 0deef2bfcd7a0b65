using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Loans;
using static Ledger.Domain.Tests.Loans.LoanScenario;

namespace Ledger.Domain.Tests.Loans;

public class RequestLoanTests
{
    [Fact]
    public void a_request_between_members_is_recorded_with_its_business_date()
    {
        var e = New().When(Request).ShouldHaveSingleItem().ShouldBeOfType<LoanRequested>();
        e.Borrower.ShouldBe("XZMU");
        e.BusinessDate.ShouldBe(new DateOnly(2026, 10, 12));
    }

    [Fact]
    public void repeating_a_request_records_nothing() => New().Given(Request).When(Request).ShouldBeEmpty();

    [Fact]
    public void reusing_a_loan_id_for_another_request_is_rejected() =>
        Reject.CodeOf(() => New().Given(Request).When(Request with { Title = "Other" })).ShouldBe(LoanCodes.LoanIdReused);

    [Fact]
    public void a_library_cannot_borrow_from_itself() =>
        Reject.CodeOf(() => New().When(Request with { Lender = "XZMU" })).ShouldBe(ChargeCodes.LibraryMustNotServeItself);

    [Fact]
    public void an_unknown_library_is_not_found() =>
        Reject.NotFoundCodeOf(() => New().When(Request with { Lender = "NOPE" })).ShouldBe(AllianceCodes.MemberMustExist);

    [Fact]
    public void both_libraries_must_be_members_on_the_business_date()
    {
        var alliance = TestAlliance.Build(new MemberLeft("NJU", new DateOnly(2026, 10, 1)));
        Reject.CodeOf(() => new LoanScenario(alliance).When(Request)).ShouldBe(ChargeCodes.MemberMustBeAdmitted);
    }
}

public class ShipLoanTests
{
    [Fact]
    public void shipping_prices_the_policy_fee_with_the_borrowers_subsidy_and_the_reward()
    {
        var e = New().Given(Request).When(new ShipLoan(null, Later(30))).ShouldHaveSingleItem().ShouldBeOfType<LoanShipped>();
        e.Charge.ShouldBe(new Charge(40_00, 20_00, 5_00, "grant:JALIS-IV-SUB", TestAlliance.Joined, "subsidy"));
        e.ChargeStated.ShouldBeFalse();
    }

    [Fact]
    public void a_charge_the_lender_states_replaces_the_policy_fee() =>
        New().Given(Request).When(new ShipLoan(55_55, Later(1))).ShouldHaveSingleItem().ShouldBeOfType<LoanShipped>()
            .Charge.ShouldBe(new Charge(55_55, 27_77, 5_00, "grant:JALIS-IV-SUB", TestAlliance.Joined, "subsidy"));

    [Fact]
    public void a_charge_above_the_borrowers_maximum_cost_is_rejected() =>
        Reject.CodeOf(() => New().Given(Request).When(new ShipLoan(60_01, Later(1))))
            .ShouldBe(ChargeCodes.ChargeMustNotExceedMaximumCost);

    [Fact]
    public void the_policy_in_force_on_the_shipment_date_prices_it()
    {
        var alliance = TestAlliance.Build(new FeePolicySet(TestAlliance.Policy with { EffectiveFrom = new DateOnly(2026, 10, 13), LoanFeeFen = 30_00 }));
        var scenario = new LoanScenario(alliance).Given(Request);
        var e = scenario.When(new ShipLoan(null, TestAlliance.At("2026-10-13T00:30:00"))).ShouldHaveSingleItem().ShouldBeOfType<LoanShipped>();
        e.Charge.FeeFen.ShouldBe(30_00);
        e.Charge.PolicyEffectiveFrom.ShouldBe(new DateOnly(2026, 10, 13));
    }

    [Fact]
    public void without_a_policy_in_force_nothing_can_be_priced()
    {
        var early = new DateOnly(2025, 1, 1);
        var alliance = TestAlliance.Build(
            new MemberAdmitted("OLD1", "Old 1", 1, "south", MemberRole.Member, early),
            new MemberAdmitted("OLD2", "Old 2", 1, "south", MemberRole.Member, early));
        var request = Request with { Borrower = "OLD1", Lender = "OLD2", At = TestAlliance.At("2025-12-01T09:00:00") };
        var scenario = new LoanScenario(alliance).Given(request);
        Reject.CodeOf(() => scenario.When(new ShipLoan(null, request.At.AddHours(1)))).ShouldBe(ChargeCodes.FeePolicyMustBeInForce);
    }

    [Fact]
    public void shipping_again_is_a_retry_but_not_with_another_charge()
    {
        var scenario = New().Given(Request, new ShipLoan(null, Later(1)));
        scenario.When(new ShipLoan(null, Later(2))).ShouldBeEmpty();
        scenario.When(new ShipLoan(40_00, Later(2))).ShouldBeEmpty();
        Reject.CodeOf(() => scenario.When(new ShipLoan(41_00, Later(2)))).ShouldBe(LoanCodes.LoanShippedWithOtherCharge);
    }

    [Fact]
    public void a_shipment_cannot_precede_the_request() =>
        Reject.CodeOf(() => New().Given(Request).When(new ShipLoan(null, Later(-1)))).ShouldBe(ChargeCodes.TimeMustNotPrecedeRequest);

    [Fact]
    public void an_unfilled_loan_cannot_ship() =>
        Reject.CodeOf(() => New().Given(Request, new MarkLoanUnfilled("missing", Later(1))).When(new ShipLoan(null, Later(2))))
            .ShouldBe(LoanCodes.LoanMustBeRequestedToShip);

    [Fact]
    public void a_loan_that_does_not_exist_cannot_ship() =>
        Reject.NotFoundCodeOf(() => New().When(new ShipLoan(null, Later(2)))).ShouldBe(LoanCodes.LoanMustExist);
}

public class LoanLifecycleTests
{
    [Fact]
    public void a_loan_cannot_be_returned_before_it_ships() =>
        Reject.CodeOf(() => New().Given(Request).When(new ReturnLoan(Later(1)))).ShouldBe(LoanCodes.LoanMustBeShippedToReturn);

    [Fact]
    public void a_loan_cannot_be_received_before_it_ships() =>
        Reject.CodeOf(() => New().Given(Request).When(new ReceiveLoan(Later(1)))).ShouldBe(LoanCodes.LoanMustBeShippedToReceive);

    [Fact]
    public void a_shipped_loan_is_received_then_returned_and_retries_record_nothing()
    {
        var scenario = New().Given(Request, new ShipLoan(null, Later(1)));
        scenario.When(new ReceiveLoan(Later(2))).ShouldHaveSingleItem().ShouldBeOfType<LoanReceived>();
        scenario.When(new ReceiveLoan(Later(3))).ShouldBeEmpty();
        scenario.When(new ReturnLoan(Later(300))).ShouldHaveSingleItem().ShouldBeOfType<LoanReturned>();
        scenario.When(new ReturnLoan(Later(301))).ShouldBeEmpty();
        scenario.When(new ReceiveLoan(Later(302))).ShouldBeEmpty();
        scenario.State!.Status.ShouldBe(LoanStatus.Returned);
    }

    [Fact]
    public void a_requested_loan_may_be_marked_unfilled_or_cancelled_but_not_after_shipment()
    {
        New().Given(Request).When(new MarkLoanUnfilled("not on shelf", Later(1))).ShouldHaveSingleItem().ShouldBeOfType<LoanUnfilled>();
        New().Given(Request).When(new CancelLoan(null, Later(1))).ShouldHaveSingleItem().ShouldBeOfType<LoanCancelled>();
        var shipped = New().Given(Request, new ShipLoan(null, Later(1)));
        Reject.CodeOf(() => shipped.When(new MarkLoanUnfilled("x", Later(2)))).ShouldBe(LoanCodes.LoanMustBeOpenToUnfill);
        Reject.CodeOf(() => shipped.When(new CancelLoan(null, Later(2)))).ShouldBe(LoanCodes.LoanMustBeOpenToCancel);
    }

    [Fact]
    public void a_lost_item_is_charged_at_replacement_cost_without_subsidy_or_reward()
    {
        var scenario = New().Given(Request, new ShipLoan(null, Later(1)), new ReceiveLoan(Later(2)));
        var e = scenario.When(new DeclareLoanLost(350_00, Later(500))).ShouldHaveSingleItem().ShouldBeOfType<LoanLost>();
        e.ReplacementCostFen.ShouldBe(350_00);
        scenario.When(new DeclareLoanLost(350_00, Later(501))).ShouldBeEmpty();
        Reject.CodeOf(() => scenario.When(new DeclareLoanLost(1, Later(501)))).ShouldBe(LoanCodes.LoanLostWithOtherCost);
    }

    [Fact]
    public void an_item_cannot_be_lost_before_it_ships_or_after_it_is_returned()
    {
        Reject.CodeOf(() => New().Given(Request).When(new DeclareLoanLost(1, Later(1)))).ShouldBe(LoanCodes.LoanMustBeOutToLose);
        var returned = New().Given(Request, new ShipLoan(null, Later(1)), new ReturnLoan(Later(2)));
        Reject.CodeOf(() => returned.When(new DeclareLoanLost(1, Later(3)))).ShouldBe(LoanCodes.LoanMustBeOutToLose);
    }
}

public class RefundLoanChargeTests
{
    private static LoanScenario Shipped() => New().Given(Request, new ShipLoan(null, Later(1)));

    [Fact]
    public void a_partial_refund_returns_money_to_borrower_and_grant_in_the_proportion_they_paid()
    {
        var e = Shipped().When(new RefundLoanCharge("R1", ChargeKind.Fee, 10_01, "damaged", Later(5)))
            .ShouldHaveSingleItem().ShouldBeOfType<LoanChargeRefunded>();
        e.Refund.ShouldBe(new ChargeRefund(10_01, 5_01, 5_00, 0));
    }

    [Fact]
    public void the_refund_that_completes_a_full_refund_takes_back_the_reward()
    {
        var scenario = Shipped();
        scenario.When(new RefundLoanCharge("R1", ChargeKind.Fee, 10_01, "damaged", Later(5)));
        var e = scenario.When(new RefundLoanCharge("R2", ChargeKind.Fee, 29_99, "never arrived", Later(6)))
            .ShouldHaveSingleItem().ShouldBeOfType<LoanChargeRefunded>();
        e.Refund.ShouldBe(new ChargeRefund(29_99, 14_99, 15_00, 5_00));
    }

    [Fact]
    public void a_refund_never_exceeds_what_is_left_of_the_charge()
    {
        var scenario = Shipped();
        scenario.When(new RefundLoanCharge("R1", ChargeKind.Fee, 30_00, "x", Later(5)));
        Reject.CodeOf(() => scenario.When(new RefundLoanCharge("R2", ChargeKind.Fee, 10_01, "x", Later(6))))
            .ShouldBe(ChargeCodes.RefundMustNotExceedRemaining);
    }

    [Fact]
    public void repeating_a_refund_records_nothing_and_reusing_its_id_is_rejected()
    {
        var scenario = Shipped();
        var refund = new RefundLoanCharge("R1", ChargeKind.Fee, 10_00, "x", Later(5));
        scenario.When(refund).ShouldHaveSingleItem();
        scenario.When(refund with { At = Later(9) }).ShouldBeEmpty();
        Reject.CodeOf(() => scenario.When(refund with { AmountFen = 1 })).ShouldBe(ChargeCodes.RefundIdReused);
    }

    [Fact]
    public void there_is_nothing_to_refund_before_a_charge_arises() =>
        Reject.CodeOf(() => New().Given(Request).When(new RefundLoanCharge("R1", ChargeKind.Fee, 1, "x", Later(5))))
            .ShouldBe(ChargeCodes.ChargeMustExist);

    [Fact]
    public void a_replacement_charge_is_refunded_to_the_borrower_alone()
    {
        var scenario = Shipped().Given(new DeclareLoanLost(100_00, Later(10)));
        var e = scenario.When(new RefundLoanCharge("R1", ChargeKind.Replacement, 100_00, "item found", Later(20)))
            .ShouldHaveSingleItem().ShouldBeOfType<LoanChargeRefunded>();
        e.Refund.ShouldBe(new ChargeRefund(100_00, 100_00, 0, 0));
        e.GrantAccount.ShouldBeNull();
    }
}

public class GrantWithheldTests
{
    [Fact]
    public void a_grant_without_funds_for_subsidy_and_reward_grants_neither_and_says_so()
    {
        var alliance = TestAlliance.Build();
        var requested = LoanDecider.Evolve(null, LoanDecider.Decide("L", new RequestLoan("L", "XZMU", "NJU", "t", null, TestAlliance.At("2026-10-01T09:00:00")), null, alliance).Single());
        var events = LoanDecider.Decide("L", new ShipLoan(null, TestAlliance.At("2026-10-02T09:00:00"), GrantAvailableFen: 24_99), requested, alliance);
        var shipped = events.OfType<LoanShipped>().Single();
        shipped.Charge.ShouldBe(new Charge(40_00, 0, 0, null, TestAlliance.Joined));
        var withheld = events.OfType<global::Ledger.Domain.Funding.LoanGrantWithheld>().Single();
        withheld.WantedFen.ShouldBe(25_00);
        withheld.AvailableFen.ShouldBe(24_99);
        global::Ledger.Domain.Ledger.PostingRules.For(shipped).ShouldNotContain(l => l.Account.StartsWith("grant:"));

        var enough = LoanDecider.Decide("L", new ShipLoan(null, TestAlliance.At("2026-10-02T09:00:00"), GrantAvailableFen: 25_00), requested, alliance);
        enough.Single().ShouldBeOfType<LoanShipped>().Charge.SubsidyFen.ShouldBe(20_00);
    }
}
