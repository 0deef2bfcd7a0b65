using Ledger.Domain.Alliances;
using Ledger.Domain.CostShares;
using Ledger.Domain.Ledger;
using Ledger.Domain.Payments;
using Ledger.Domain.Purchases;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.Tests.Purchases;

public class PurchaseDeciderTests
{
    private static readonly DateTimeOffset T = TestAlliance.At("2026-03-01T09:00:00");

    /// <summary>37 members (M01…M37, FTE 1,000·i) on top of the test alliance.</summary>
    private static Alliance Alliance37() => TestAlliance.Build(Enumerable.Range(1, 37)
        .Select(i => (IAllianceEvent)new MemberAdmitted($"M{i:D2}", $"Library {i}", 1_000 * i, "south", MemberRole.Member, TestAlliance.Joined)).ToArray());

    private static CounterUsage Usage(long count, string hash) =>
        new("5", "TR_J1", CounterReports.UniqueItemRequests, count, null, null, null, 1, hash);

    private sealed class Purchase(Alliance alliance)
    {
        public JointPurchase? State;
        public readonly List<IPurchaseEvent> Events = [];

        public IPurchaseEvent[] Do(IPurchaseCommand c)
        {
            var events = PurchaseDecider.Decide("LIC-1", c, State, alliance);
            foreach (var e in events) State = PurchaseDecider.Evolve(State, e);
            Events.AddRange(events);
            return events;
        }
    }

    private static readonly SplitRule Mix = new(SplitMethod.Mixed, 2000, SplitMethod.Usage);

    private static Purchase MillionAmong37()
    {
        var p = new Purchase(Alliance37());
        p.Do(new ProposePurchase("LIC-1", "CNKI journals 2026", "CNKI", new(2026, 1, 1), new(2026, 12, 31), 1_050_000_00, Mix, CounterReports.UniqueItemRequests, T));
        for (var i = 1; i <= 37; i++)
        {
            p.Do(new JoinPurchase($"M{i:D2}", T));
            p.Do(new RecordPurchaseUsage($"M{i:D2}", Usage(100 * i, $"h{i}"), T));
        }
        p.Do(new InvoicePurchase("INV-2026-001", 1_000_000_00, new(2026, 3, 1), T));
        return p;
    }

    [Fact]
    public void a_million_split_among_37_by_a_20_percent_base_and_80_percent_usage_adds_up_to_the_fen()
    {
        var p = MillionAmong37();
        var allocated = p.Do(new AllocatePurchase(T)).OfType<PurchaseAllocated>().Single();

        allocated.Shares.Count.ShouldBe(37);
        allocated.Shares.Sum(s => s.AmountFen).ShouldBe(1_000_000_00);
        allocated.RuleVersion.ShouldBe(Splitter.RuleVersion);
        allocated.Inputs.Single(i => i.Member == "M10").ShouldBe(new Participant("M10", 10_000, 1_000));
        // M01: 200,000/37 base + 800,000 × 100/70,300 usage = 5,405.41 + 1,137.98 (to the fen, before remainders).
        allocated.Shares.Single(s => s.Member == "M01").AmountFen.ShouldBeInRange(6_543_38, 6_543_40);
        PostingRules.For(allocated).Sum(l => l.AmountFen).ShouldBe(0);
    }

    [Fact]
    public void a_withdrawal_after_allocation_reverses_the_old_shares_and_posts_the_new_ones()
    {
        var p = MillionAmong37();
        p.Do(new AllocatePurchase(T));
        var before = p.State!.Shares;
        var events = p.Do(new WithdrawFromPurchase("M37", "budget cut", T.AddDays(10)));

        events.Length.ShouldBe(2);
        var re = events.OfType<PurchaseReallocated>().Single();
        re.PreviousShares.ShouldBe(before);
        re.Shares.Count.ShouldBe(36);
        re.Shares.Sum(s => s.AmountFen).ShouldBe(1_000_000_00);
        re.Reason.ShouldContain("M37 withdrew");
        var lines = PostingRules.For(re);
        lines.Sum(l => l.AmountFen).ShouldBe(0);
        // M37 gets its whole share back; nobody else is charged less than before.
        lines.Where(l => l.Account == "member:M37").Sum(l => l.AmountFen).ShouldBe(before.Single(s => s.Member == "M37").AmountFen);
        foreach (var s in re.Shares) s.AmountFen.ShouldBeGreaterThanOrEqualTo(before.Single(b => b.Member == s.Member).AmountFen);
        p.Do(new WithdrawFromPurchase("M37", "budget cut", T.AddDays(10))).ShouldBeEmpty();
    }

    [Fact]
    public void a_usage_restatement_reallocates_and_the_same_report_again_records_nothing()
    {
        var p = MillionAmong37();
        p.Do(new AllocatePurchase(T));
        p.Do(new RecordPurchaseUsage("M05", Usage(500, "h5"), T)).ShouldBeEmpty();
        var events = p.Do(new RecordPurchaseUsage("M05", Usage(5_000, "h5-corrected"), T));
        events.OfType<PurchaseUsageRecorded>().Single().Usage.Count.ShouldBe(5_000);
        var re = events.OfType<PurchaseReallocated>().Single();
        re.Shares.Single(s => s.Member == "M05").AmountFen.ShouldBeGreaterThan(re.PreviousShares.Single(s => s.Member == "M05").AmountFen);
    }

    [Fact]
    public void a_grant_cover_pays_part_in_proportion_and_is_re_split_on_reallocation()
    {
        var p = MillionAmong37();
        p.Do(new AllocatePurchase(T));
        var covered = p.Do(new CoverPurchase("JALIS-IV-DB", 300_000_00, T)).OfType<PurchaseCovered>().Single();
        covered.Cover.Split.Sum(s => s.AmountFen).ShouldBe(300_000_00);
        var lines = PostingRules.For(covered);
        lines.Single(l => l.Account == "grant:JALIS-IV-DB").AmountFen.ShouldBe(-300_000_00);
        lines.Sum(l => l.AmountFen).ShouldBe(0);
        Reject.CodeOf(() => p.Do(new CoverPurchase("OTHER", 700_000_01, T))).ShouldBe(PurchaseCodes.CoverMustNotExceedShares);

        var re = p.Do(new WithdrawFromPurchase("M01", "closing", T)).OfType<PurchaseReallocated>().Single();
        re.Covers.Single().Split.Sum(s => s.AmountFen).ShouldBe(300_000_00);
        re.Covers.Single().Split.ShouldNotContain(s => s.Member == "M01");
        var net = PostingRules.For(re).Where(l => l.Account.StartsWith("grant:")).Sum(l => l.AmountFen);
        net.ShouldBe(0); // the grant still pays the same amount, re-split
    }

    [Fact]
    public void the_vendor_is_paid_against_the_invoice_once_per_payment_id()
    {
        var p = MillionAmong37();
        var paid = p.Do(new PayVendor("VP-1", 600_000_00, new(2026, 3, 20), "ICBC-778", T)).Single();
        PostingRules.For(paid).ShouldBe([new PostingLine("vendor:CNKI", -600_000_00), new PostingLine("cash", 600_000_00)]);
        p.Do(new PayVendor("VP-1", 600_000_00, new(2026, 3, 20), "ICBC-778", T)).ShouldBeEmpty();
        Reject.CodeOf(() => p.Do(new PayVendor("VP-1", 1_00, new(2026, 3, 20), "ICBC-778", T))).ShouldBe(PurchaseCodes.VendorPaymentIdReused);
        Reject.CodeOf(() => p.Do(new PayVendor("VP-2", 400_000_01, new(2026, 3, 20), "x", T))).ShouldBe(PurchaseCodes.VendorPaymentMustNotExceedInvoice);
    }

    [Fact]
    public void allocation_needs_an_invoice_and_usage_for_every_participant_when_the_rule_weighs_usage()
    {
        var p = new Purchase(Alliance37());
        p.Do(new ProposePurchase("LIC-1", "r", "V", new(2026, 1, 1), new(2026, 12, 31), 1_00, Mix, CounterReports.UniqueItemRequests, T));
        p.Do(new JoinPurchase("M01", T));
        Reject.CodeOf(() => p.Do(new AllocatePurchase(T))).ShouldBe(PurchaseCodes.PurchaseMustBeInvoiced);
        p.Do(new InvoicePurchase("I", 1_00, new(2026, 3, 1), T));
        Reject.CodeOf(() => p.Do(new AllocatePurchase(T))).ShouldBe(SharingCodes.UsageMustBeKnown);
        Reject.CodeOf(() => p.Do(new InvoicePurchase("I", 2_00, new(2026, 3, 1), T))).ShouldBe(PurchaseCodes.InvoiceMustNotChange);
        Reject.CodeOf(() => p.Do(new RecordPurchaseUsage("M02", Usage(1, "x"), T))).ShouldBe(PurchaseCodes.MemberMustTakePart);
        Reject.CodeOf(() => p.Do(new ProposePurchase("LIC-1", "other", "V", new(2026, 1, 1), new(2026, 12, 31), 1_00, Mix, CounterReports.UniqueItemRequests, T)))
            .ShouldBe(PurchaseCodes.PurchaseIdReused);
    }

    [Fact]
    public void fte_rules_use_the_fte_in_effect_on_the_allocation_date()
    {
        var alliance = TestAlliance.Build(new MemberFteChanged("SEU", 15_000, new(2026, 2, 1)));
        var p = new Purchase(alliance);
        p.Do(new ProposePurchase("LIC-1", "r", "V", new(2026, 1, 1), new(2026, 12, 31), 0, new SplitRule(SplitMethod.Fte), CounterReports.UniqueItemRequests, T));
        p.Do(new JoinPurchase("NJU", T));
        p.Do(new JoinPurchase("SEU", T));
        p.Do(new InvoicePurchase("I", 75_000_00, new(2026, 3, 1), T));
        var allocated = p.Do(new AllocatePurchase(T)).OfType<PurchaseAllocated>().Single();
        allocated.Shares.ShouldBe([new Share("NJU", 60_000_00), new Share("SEU", 15_000_00)]);
    }

    [Fact]
    public void a_cost_share_is_allocated_to_the_payee_corrected_as_a_reallocation_and_reversed()
    {
        var alliance = TestAlliance.Build();
        CostShare? state = null;
        ICostShareEvent[] Do(ICostShareCommand c)
        {
            var events = CostShareDecider.Decide("COURIER-2026-03", c, state, alliance);
            foreach (var e in events) state = CostShareDecider.Evolve(state, e);
            return events;
        }
        Do(new DeclareCostShare("COURIER-2026-03", "courier, March", 900_00, new SplitRule(SplitMethod.Equal),
            [new("NJU", null), new("SEU", null), new("XZMU", null)], "vendor:SF", T));
        var allocated = Do(new AllocateCostShare(T)).OfType<CostShareAllocated>().Single();
        PostingRules.For(allocated).ShouldBe([
            new PostingLine("member:NJU", -300_00), new PostingLine("member:SEU", -300_00), new PostingLine("member:XZMU", -300_00),
            new PostingLine("vendor:SF", 900_00),
        ]);
        var corrected = Do(new CorrectCostShare(1_000_00, [new("NJU", null), new("SEU", null)], "second invoice page", T)).OfType<CostShareReallocated>().Single();
        PostingRules.For(corrected).Sum(l => l.AmountFen).ShouldBe(0);
        PostingRules.For(corrected).Where(l => l.Account == "member:XZMU").Sum(l => l.AmountFen).ShouldBe(300_00);
        corrected.Shares.ShouldBe([new Share("NJU", 500_00), new Share("SEU", 500_00)]);
        var reversed = Do(new ReverseCostShare("charged twice", T)).OfType<CostShareReversed>().Single();
        PostingRules.For(reversed).Single(l => l.Account == "vendor:SF").AmountFen.ShouldBe(-1_000_00);
        Reject.CodeOf(() => Do(new AllocateCostShare(T))).ShouldBe(CostShareCodes.CostShareMustNotBeReversed);
    }

    [Fact]
    public void a_payment_posts_cash_against_the_member_once_per_id()
    {
        var alliance = TestAlliance.Build();
        var pay = new RecordPayment("PAY-1", "XZMU", PaymentDirection.MemberToCentre, 120_50, new(2026, 3, 31), "BOC-1", T);
        var recorded = PaymentDecider.Decide(pay, null, alliance).Single();
        PostingRules.For(recorded).ShouldBe([new PostingLine("member:XZMU", 120_50), new PostingLine("cash", -120_50)]);
        var state = PaymentDecider.Evolve(null, recorded);
        PaymentDecider.Decide(pay, state, alliance).ShouldBeEmpty();
        Reject.CodeOf(() => PaymentDecider.Decide(pay with { AmountFen = 1_00 }, state, alliance)).ShouldBe(PaymentCodes.PaymentIdReused);
        Reject.NotFoundCodeOf(() => PaymentDecider.Decide(pay with { PaymentId = "PAY-2", Member = "NOPE" }, null, alliance)).ShouldBe(AllianceCodes.MemberMustExist);
    }
}
