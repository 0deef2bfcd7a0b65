using Ledger.Domain.Charges;
using Ledger.Domain.Loans;
using Ledger.Projections.Usage;

namespace Ledger.Projections.Tests;

public class UsageRulesTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-10-12T08:00:00+08:00");
    private static readonly Charge Charge = new(40_00, 20_00, 5_00, "grant:G", null);

    [Fact]
    public void a_shipment_counts_as_filled_for_the_borrower_and_supplied_for_the_lender()
    {
        var borrower = new UsageMonth { Member = "XZMU" };
        var lender = new UsageMonth { Member = "NJU" };
        var shipped = new LoanShipped("L", "XZMU", "NJU", T0, T0.AddHours(30), new DateOnly(2026, 10, 13), Charge, false);
        UsageRules.Apply(borrower, shipped);
        UsageRules.Apply(lender, shipped);

        borrower.RequestsFilled.ShouldBe(1);
        borrower.FeesPaidFen.ShouldBe(20_00);
        borrower.SubsidiesReceivedFen.ShouldBe(20_00);
        borrower.BorrowerTurnaroundHours.ShouldBe([30]);
        lender.RequestsSupplied.ShouldBe(1);
        lender.FeesReceivedFen.ShouldBe(40_00);
        lender.RewardsReceivedFen.ShouldBe(5_00);
        lender.RequestsFilled.ShouldBe(0);
    }

    [Fact]
    public void a_refund_reduces_fees_on_both_sides()
    {
        var borrower = new UsageMonth { Member = "XZMU" };
        var lender = new UsageMonth { Member = "NJU" };
        var refund = new LoanChargeRefunded("L", "R", ChargeKind.Fee, "XZMU", "NJU", new ChargeRefund(40_00, 20_00, 20_00, 5_00), "grant:G", "x", T0, default);
        UsageRules.Apply(borrower, refund);
        UsageRules.Apply(lender, refund);
        borrower.FeesPaidFen.ShouldBe(-20_00);
        borrower.SubsidiesReceivedFen.ShouldBe(-20_00);
        lender.FeesReceivedFen.ShouldBe(-40_00);
        lender.RewardsReceivedFen.ShouldBe(-5_00);
    }

    [Fact]
    public void an_unfilled_request_counts_only_for_the_borrower()
    {
        var lender = new UsageMonth { Member = "NJU" };
        UsageRules.Apply(lender, new LoanUnfilled("L", "XZMU", "NJU", "x", T0, default));
        lender.RequestsUnfilled.ShouldBe(0);
    }
}

public class StoredEventNamesTests
{
    [Fact]
    public void every_domain_event_has_a_pinned_stored_name()
    {
        var eventTypes = typeof(global::Ledger.Domain.Rejected).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.Name.EndsWith("Event", StringComparison.Ordinal)))
            .ToList();
        eventTypes.Count.ShouldBeGreaterThan(10);
        eventTypes.ShouldAllBe(t => LedgerEvents.StoredNames.ContainsKey(t));
        LedgerEvents.StoredNames.Values.Distinct().Count().ShouldBe(LedgerEvents.StoredNames.Count);
    }
}
