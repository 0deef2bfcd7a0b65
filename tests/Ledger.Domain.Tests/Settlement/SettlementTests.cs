using FsCheck.Xunit;
using Ledger.Domain.Settlement;

namespace Ledger.Domain.Tests.Settlement;

public class SettlementTests
{
    [Theory]
    [InlineData(PeriodFrequency.Monthly, "2026-02-14", "2026-02", "2026-02-01", "2026-02-28")]
    [InlineData(PeriodFrequency.Quarterly, "2026-11-27", "2026-Q4", "2026-10-01", "2026-12-31")]
    [InlineData(PeriodFrequency.Yearly, "2028-02-29", "2028", "2028-01-01", "2028-12-31")]
    public void a_date_falls_in_one_period_of_each_frequency_and_its_key_parses_back(PeriodFrequency f, string date, string key, string from, string to)
    {
        var p = Period.Containing(DateOnly.Parse(date), f);
        p.ShouldBe(new Period(key, DateOnly.Parse(from), DateOnly.Parse(to)));
        Period.Parse(key, f).ShouldBe(p);
        Period.Parse("2026-13", PeriodFrequency.Monthly).ShouldBeNull();
        Period.Parse("2026-Q5", PeriodFrequency.Quarterly).ShouldBeNull();
        Period.Parse("2026-10", PeriodFrequency.Yearly).ShouldBeNull();
    }

    private static readonly PeriodNetting Empty = new([], [], [], 0);

    [Fact]
    public void periods_close_in_order_from_the_founding_period_once_ended_and_closing_again_is_a_retry()
    {
        var alliance = TestAlliance.Build(); // founded 2026-01-01
        var now = TestAlliance.At("2026-03-15T10:00:00");
        Reject.CodeOf(() => SettlementDecider.Decide(new ClosePeriod("2026-02", 1, Empty, now), null, alliance)).ShouldBe(SettlementCodes.PeriodMustBeFirstOpen);
        var closed = SettlementDecider.Decide(new ClosePeriod("2026-01", 10, Empty, now), null, alliance).Cast<PeriodClosed>().Single();
        closed.From.ShouldBe(new DateOnly(2026, 1, 1));
        closed.PreviousHighWaterSequence.ShouldBe(0);
        var state = SettlementDecider.Evolve(null, closed);
        SettlementDecider.Decide(new ClosePeriod("2026-01", 99, Empty, now), state, alliance).ShouldBeEmpty();
        var feb = SettlementDecider.Decide(new ClosePeriod("2026-02", 20, Empty, now), state, alliance).Cast<PeriodClosed>().Single();
        feb.PreviousHighWaterSequence.ShouldBe(10);
        feb.PreviousTo.ShouldBe(new DateOnly(2026, 1, 31));
        state = SettlementDecider.Evolve(state, feb);
        Reject.CodeOf(() => SettlementDecider.Decide(new ClosePeriod("2026-03", 30, Empty, now), state, alliance)).ShouldBe(SettlementCodes.PeriodMustHaveEnded);
        Reject.CodeOf(() => SettlementDecider.Decide(new ChooseSettlementPeriods(PeriodFrequency.Quarterly, now), state, alliance))
            .ShouldBe(SettlementCodes.FrequencyMustNotChangeAfterClose);
        Reject.CodeOf(() => SettlementDecider.Decide(new ClosePeriod("2026-Q1", 30, Empty, now), state, alliance)).ShouldBe(SettlementCodes.PeriodKeyInvalid);
    }

    private static NettingLine L(int e, int i, string account, long amount, string date = "2026-10-05", long seq = 1) =>
        new(new Guid(e, 0, 0, new byte[8]), i, account, amount, DateOnly.Parse(date), seq);

    [Fact]
    public void netting_gives_positions_that_sum_to_zero_and_bilateral_flows_net_per_pair()
    {
        NettingLine[] lines =
        [
            // XZMU borrows from NJU: fee 40, subsidy 20, reward 5.
            L(1, 0, "member:XZMU", -20_00), L(1, 1, "grant:G", -25_00), L(1, 2, "member:NJU", 45_00),
            // NJU borrows from XZMU: fee 40, no subsidy.
            L(2, 0, "member:NJU", -40_00, seq: 2), L(2, 1, "member:XZMU", 40_00, seq: 2),
            // XZMU pays the centre 10.
            L(3, 0, "member:XZMU", 10_00, "2026-10-20", 3), L(3, 1, "cash", -10_00, "2026-10-20", 3),
        ];
        var netting = Netting.Compute(lines, new Dictionary<string, long> { ["member:XZMU"] = -5_00, ["cash"] = 5_00 }, ["NJU", "XZMU", "SEU"]);

        netting.Accounts.Sum(a => a.ClosingFen).ShouldBe(0);
        netting.Accounts.Sum(a => a.MovementFen).ShouldBe(0);
        netting.Accounts.Single(a => a.Account == "member:XZMU").ShouldBe(new AccountPosition("member:XZMU", -5_00, 30_00, 25_00));
        netting.Bilateral.ShouldBe([
            new BilateralFlow("grant:G", "member:NJU", 25_00),
            new BilateralFlow("member:NJU", "member:XZMU", 20_00),
            new BilateralFlow("cash", "member:XZMU", 10_00),
        ]);
        var seu = netting.Statements.Single(s => s.Member == "SEU");
        seu.Lines.ShouldBe(0);
        netting.Statements.Single(s => s.Member == "XZMU").Lines.ShouldBe(3);
    }

    [Property(MaxTest = 200)]
    public void every_events_flows_add_up_to_its_debits(int seed)
    {
        var random = new Random(seed);
        var accounts = new[] { "member:A", "member:B", "member:C", "grant:G", "cash" };
        var lines = new List<NettingLine>();
        var n = random.Next(2, 6);
        long sum = 0;
        for (var i = 0; i < n - 1; i++)
        {
            var amount = random.NextInt64(-10_000, 10_000);
            sum += amount;
            lines.Add(L(1, i, accounts[random.Next(accounts.Length)], amount));
        }
        lines.Add(L(1, n - 1, accounts[random.Next(accounts.Length)], -sum));
        var flows = Netting.Flows(lines).ToList();
        var debits = lines.Where(l => l.AmountFen < 0).Sum(l => -l.AmountFen);
        var selfFlows = debits - flows.Sum(f => f.AmountFen);
        selfFlows.ShouldBeGreaterThanOrEqualTo(0); // only flows from an account to itself are left out
        foreach (var a in accounts)
        {
            var net = flows.Where(f => f.To == a).Sum(f => f.AmountFen) - flows.Where(f => f.From == a).Sum(f => f.AmountFen);
            net.ShouldBe(lines.Where(l => l.Account == a).Sum(l => l.AmountFen));
        }
    }
}
