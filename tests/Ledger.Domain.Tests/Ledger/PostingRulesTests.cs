using FsCheck.Xunit;
using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Ledger;
using Ledger.Domain.Loans;

namespace Ledger.Domain.Tests.Ledger;

public class PostingRulesTests
{
    private static readonly string[] Members = ["NJU", "SEU", "XZMU"];

    [Fact]
    public void a_subsidised_charge_debits_borrower_and_grant_and_credits_the_lender()
    {
        var charge = new Charge(40_00, 20_00, 5_00, "grant:G", null);
        var lines = PostingRules.For(new LoanShipped("L", "XZMU", "NJU", default, default, default, charge, false));
        lines.ShouldBe([
            new PostingLine("member:XZMU", -20_00),
            new PostingLine("grant:G", -25_00),
            new PostingLine("member:NJU", 45_00),
        ]);
    }

    [Fact]
    public void events_that_move_no_money_post_nothing() =>
        PostingRules.For(new LoanReceived("L", "A", "B", default, default)).ShouldBeEmpty();

    /// <summary>Random loans and deliveries through the real deciders: every event's postings sum to zero.</summary>
    [Property(MaxTest = 300)]
    public void every_event_the_deciders_produce_posts_lines_that_sum_to_zero(int seed)
    {
        var random = new Random(seed);
        var alliance = TestAlliance.Build();
        var t0 = TestAlliance.At("2026-10-01T09:00:00");
        var events = new List<object>();
        for (var n = 0; n < 20; n++)
        {
            var borrower = Members[random.Next(3)];
            var lender = Members.Where(m => m != borrower).ElementAt(random.Next(2));
            var at = t0.AddHours(n);
            if (random.Next(2) == 0) events.AddRange(RandomLoan($"L{n}", borrower, lender, at, random, alliance));
            else events.AddRange(RandomDelivery($"D{n}", borrower, lender, at, random, alliance));
        }

        foreach (var e in events) PostingRules.For(e).Sum(l => l.AmountFen).ShouldBe(0, $"postings of {e}");
        events.SelectMany(PostingRules.For).Sum(l => l.AmountFen).ShouldBe(0);
    }

    private static IEnumerable<object> RandomLoan(string id, string b, string l, DateTimeOffset at, Random r, Alliance a)
    {
        Loan? s = null;
        var commands = new List<ILoanCommand> { new RequestLoan(id, b, l, "t", null, at), new ShipLoan(r.Next(3) == 0 ? r.NextInt64(0, 500_00) : null, at.AddHours(1)) };
        if (r.Next(3) == 0) commands.Add(new DeclareLoanLost(r.NextInt64(1, 900_00), at.AddHours(2)));
        for (var k = 0; k < r.Next(0, 4); k++) commands.Add(new RefundLoanCharge($"R{k}", ChargeKind.Fee, r.NextInt64(1, 20_00), "x", at.AddHours(3)));
        foreach (var c in commands)
        {
            ILoanEvent[] events;
            try { events = LoanDecider.Decide(id, c, s, a); }
            catch (Rejected) { continue; }
            foreach (var e in events) { s = LoanDecider.Evolve(s, e); yield return e; }
        }
    }

    private static IEnumerable<object> RandomDelivery(string id, string b, string l, DateTimeOffset at, Random r, Alliance a)
    {
        Delivery? s = null;
        var commands = new List<IDeliveryCommand>
        {
            new RequestDelivery(id, b, l, "t", r.Next(2) == 0, null, at),
            new FulfilDelivery(r.Next(0, 400), null, at.AddHours(1)),
        };
        for (var k = 0; k < r.Next(0, 4); k++) commands.Add(new RefundDeliveryCharge($"R{k}", r.NextInt64(1, 50_00), "x", at.AddHours(3)));
        foreach (var c in commands)
        {
            IDeliveryEvent[] events;
            try { events = DeliveryDecider.Decide(id, c, s, a); }
            catch (Rejected) { continue; }
            foreach (var e in events) { s = DeliveryDecider.Evolve(s, e); yield return e; }
        }
    }
}
