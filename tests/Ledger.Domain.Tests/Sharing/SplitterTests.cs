using FsCheck.Xunit;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.Tests.Sharing;

public class SplitterTests
{
    private static Participant P(string m, int fte, long? usage = null) => new(m, fte, usage);

    [Fact]
    public void equal_split_gives_the_odd_fen_to_the_codes_that_sort_first() =>
        Splitter.Split(100_00, [P("C", 1), P("A", 1), P("B", 1)], new SplitRule(SplitMethod.Equal))
            .ShouldBe([new Share("A", 33_34), new Share("B", 33_33), new Share("C", 33_33)]);

    [Fact]
    public void fte_split_is_proportional() =>
        Splitter.Split(1_000_00, [P("A", 60_000), P("B", 20_000), P("C", 20_000)], new SplitRule(SplitMethod.Fte))
            .Select(s => s.AmountFen).ShouldBe([600_00, 200_00, 200_00]);

    [Fact]
    public void a_20_percent_base_with_80_percent_by_usage_matches_the_orbis_cascade_arithmetic()
    {
        // 1,000.00 among two: 200.00 base = 100.00 each; 800.00 by usage 3:1 = 600.00 and 200.00.
        var shares = Splitter.Split(1_000_00, [P("A", 1, 300), P("B", 1, 100)], new SplitRule(SplitMethod.Mixed, 2000, SplitMethod.Usage));
        shares.Select(s => s.AmountFen).ShouldBe([700_00, 300_00]);
    }

    [Fact]
    public void fixed_percentages_must_name_exactly_the_participants_and_sum_to_100()
    {
        var rule = new SplitRule(SplitMethod.Fixed, Fixed: [new FixedShare("A", 7000), new FixedShare("B", 3000)]);
        Splitter.Split(10_00, [P("A", 1), P("B", 1)], rule).Select(s => s.AmountFen).ShouldBe([7_00, 3_00]);
        Reject.CodeOf(() => Splitter.Split(10_00, [P("A", 1), P("B", 1), P("C", 1)], rule)).ShouldBe(SharingCodes.FixedSharesMustMatch);
        var short_ = new SplitRule(SplitMethod.Fixed, Fixed: [new FixedShare("A", 7000), new FixedShare("B", 2000)]);
        Reject.CodeOf(() => Splitter.Split(10_00, [P("A", 1), P("B", 1)], short_)).ShouldBe(SharingCodes.FixedSharesMustMatch);
    }

    [Fact]
    public void tiers_weigh_each_member_by_the_price_of_its_fte_band()
    {
        var rule = new SplitRule(SplitMethod.Tiered, Tiers: [new FteTier(0, 1_000_00), new FteTier(10_000, 2_000_00), new FteTier(30_000, 4_000_00)]);
        Splitter.Split(7_000_00, [P("S", 5_000), P("M", 20_000), P("L", 45_000)], rule)
            .ShouldBe([new Share("L", 4_000_00), new Share("M", 2_000_00), new Share("S", 1_000_00)]);
        var gap = new SplitRule(SplitMethod.Tiered, Tiers: [new FteTier(1_000, 1_00)]);
        Reject.CodeOf(() => Splitter.Split(1_00, [P("S", 500)], gap)).ShouldBe(SharingCodes.TiersMustCoverFte);
    }

    [Fact]
    public void usage_rules_need_every_participants_usage_and_some_weight()
    {
        Reject.CodeOf(() => Splitter.Split(1_00, [P("A", 1, 5), P("B", 1)], new SplitRule(SplitMethod.Usage))).ShouldBe(SharingCodes.UsageMustBeKnown);
        Reject.CodeOf(() => Splitter.Split(1_00, [P("A", 1, 0), P("B", 1, 0)], new SplitRule(SplitMethod.Usage))).ShouldBe(SharingCodes.WeightsMustNotAllBeZero);
        Reject.CodeOf(() => Splitter.Split(1_00, [], new SplitRule(SplitMethod.Equal))).ShouldBe(SharingCodes.ParticipantsMustNotBeEmpty);
    }

    private static SplitRule RandomRule(Random random, IReadOnlyList<Participant> ps) => random.Next(6) switch
    {
        0 => new SplitRule(SplitMethod.Equal),
        1 => new SplitRule(SplitMethod.Fte),
        2 => new SplitRule(SplitMethod.Usage),
        3 => new SplitRule(SplitMethod.Fixed, Fixed: FixedShares(random, ps)),
        4 => new SplitRule(SplitMethod.Mixed, random.Next(0, 10_001), random.Next(2) == 0 ? SplitMethod.Fte : SplitMethod.Usage),
        _ => new SplitRule(SplitMethod.Tiered, Tiers: [new FteTier(0, random.NextInt64(1, 1_000_00)), new FteTier(10_000, random.NextInt64(1_000_00, 2_000_00)), new FteTier(40_000, random.NextInt64(2_000_00, 5_000_00))]),
    };

    private static List<FixedShare> FixedShares(Random random, IReadOnlyList<Participant> ps)
    {
        var cuts = Enumerable.Range(0, ps.Count - 1).Select(_ => random.Next(0, 10_001)).Order().ToList();
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(10_000);
        return ps.Select((p, i) => new FixedShare(p.Member, bounds[i + 1] - bounds[i])).ToList();
    }

    /// <summary>The weight a rule gives a participant, to compare two participants (larger weight never pays less).</summary>
    private static decimal Weight(Participant p, SplitRule rule, IReadOnlyList<Participant> all) => rule.Method switch
    {
        SplitMethod.Equal => 1,
        SplitMethod.Fte => p.Fte,
        SplitMethod.Usage => p.Usage!.Value,
        SplitMethod.Fixed => rule.Fixed!.Single(f => f.Member == p.Member).BasisPoints,
        SplitMethod.Tiered => rule.Tiers!.Where(t => t.FromFte <= p.Fte).MaxBy(t => t.FromFte)!.PriceFen,
        _ => rule.RestBy == SplitMethod.Usage ? p.Usage!.Value : p.Fte,
    };

    [Property(MaxTest = 400)]
    public void every_rule_splits_to_the_fen_never_negative_and_a_heavier_member_never_pays_less(int seed)
    {
        var random = new Random(seed);
        var total = random.NextInt64(0, 1_000_000_000_00);
        var participants = Enumerable.Range(0, random.Next(1, 40))
            .Select(i => new Participant($"M{i:D2}", random.Next(1, 80_000), random.NextInt64(1, 2_000_000))).ToList();
        var rule = RandomRule(random, participants);

        var shares = Splitter.Split(total, participants, rule);

        shares.Sum(s => s.AmountFen).ShouldBe(total);
        shares.ShouldAllBe(s => s.AmountFen >= 0);
        shares.Select(s => s.Member).ShouldBe(participants.Select(p => p.Member).Order(StringComparer.Ordinal));
        var amount = shares.ToDictionary(s => s.Member, s => s.AmountFen);
        foreach (var a in participants)
            foreach (var b in participants)
                if (Weight(a, rule, participants) > Weight(b, rule, participants))
                    amount[a.Member].ShouldBeGreaterThanOrEqualTo(amount[b.Member], $"{rule.Method}: {a} vs {b}");
    }
}
