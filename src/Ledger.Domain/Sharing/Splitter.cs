using System.Numerics;
using Ledger.Domain.Money;

namespace Ledger.Domain.Sharing;

// The allocation engine: splits an amount among participants by a rule, exactly to the fen. Pure; shared by joint
// purchases, cost shares and (for covers) by splitting a grant's part in proportion to the shares.

public enum SplitMethod { Equal, Fte, Usage, Fixed, Mixed, Tiered }

/// <summary>A band of FTE: from <see cref="FromFte"/> (inclusive) to the next band's start; members in it weigh <see cref="PriceFen"/>.</summary>
public sealed record FteTier(int FromFte, long PriceFen);

/// <summary>A fixed share of a participant, in basis points (10,000 = 100 %).</summary>
public sealed record FixedShare(string Member, int BasisPoints);

/// <summary>
/// How to split. <see cref="SplitMethod.Mixed"/>: <see cref="BaseBasisPoints"/> of the amount equally, the rest by
/// <see cref="RestBy"/> (FTE or usage), as Orbis Cascade's 20 % base. <see cref="SplitMethod.Tiered"/>: each participant
/// weighs the price of its FTE band (the bands' prices are relative weights; the amount split is the invoice).
/// </summary>
public sealed record SplitRule(
    SplitMethod Method,
    int? BaseBasisPoints = null,
    SplitMethod? RestBy = null,
    IReadOnlyList<FixedShare>? Fixed = null,
    IReadOnlyList<FteTier>? Tiers = null)
{
    public bool UsesUsage => Method == SplitMethod.Usage || (Method == SplitMethod.Mixed && RestBy == SplitMethod.Usage);

    public bool SameAs(SplitRule other) =>
        Method == other.Method && BaseBasisPoints == other.BaseBasisPoints && RestBy == other.RestBy &&
        (Fixed ?? []).SequenceEqual(other.Fixed ?? []) && (Tiers ?? []).SequenceEqual(other.Tiers ?? []);
}

/// <summary>What the rule weighs for one participant: its FTE on the allocation date, and its usage when known.</summary>
public sealed record Participant(string Member, int Fte, long? Usage);

public sealed record Share(string Member, long AmountFen);

public static class SharingCodes
{
    public const string ParticipantsMustNotBeEmpty = "participants_must_not_be_empty";
    public const string UsageMustBeKnown = "usage_must_be_known_for_every_participant";
    public const string WeightsMustNotAllBeZero = "split_weights_must_not_all_be_zero";
    public const string FixedSharesMustMatch = "fixed_shares_must_cover_every_participant_and_sum_to_100_percent";
    public const string TiersMustCoverFte = "fte_tiers_must_start_at_0";
}

public static class Splitter
{
    /// <summary>Recorded with every allocation, so a later change of these rules never rewrites an old split.</summary>
    public const string RuleVersion = "split-v1";

    /// <summary>
    /// A rule checked when it is declared rather than when it is first used: fixed percentages name each member once and
    /// sum to exactly 100 %; when the participants are already known (a cost share), they are exactly the members named.
    /// </summary>
    public static void MustBeSound(SplitRule rule, IReadOnlyList<string>? participants = null)
    {
        if (rule.Method != SplitMethod.Fixed) return;
        var shares = rule.Fixed ?? [];
        var members = shares.Select(s => s.Member).ToList();
        var sum = shares.Sum(s => (long)s.BasisPoints);
        if (members.Distinct(StringComparer.Ordinal).Count() != members.Count || sum != 10_000)
            throw new Rejected(SharingCodes.FixedSharesMustMatch, $"the fixed percentages must name each member once and sum to 100; they sum to {sum / 100m:0.00}");
        if (participants is not null && !members.Order(StringComparer.Ordinal).SequenceEqual(participants.Order(StringComparer.Ordinal)))
            throw new Rejected(SharingCodes.FixedSharesMustMatch,
                $"fixed shares name {string.Join(", ", members.Order(StringComparer.Ordinal))}; participants are {string.Join(", ", participants.Order(StringComparer.Ordinal))}");
    }

    /// <summary>
    /// The shares of <paramref name="totalFen"/>, one per participant in member-code order, summing to it exactly.
    /// Largest remainder on the fen; equal remainders go to the member whose code sorts first.
    /// </summary>
    public static IReadOnlyList<Share> Split(long totalFen, IReadOnlyList<Participant> participants, SplitRule rule)
    {
        var ordered = participants.OrderBy(p => p.Member, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0) throw new Rejected(SharingCodes.ParticipantsMustNotBeEmpty, "nobody takes part");
        var weights = Weights(ordered, rule);
        if (weights.All(w => w.IsZero))
            throw new Rejected(SharingCodes.WeightsMustNotAllBeZero, $"every participant weighs 0 under the {rule.Method} rule");
        var parts = Allocation.LargestRemainder(totalFen, weights);
        return ordered.Select((p, i) => new Share(p.Member, parts[i])).ToList();
    }

    /// <summary>The integer weight of each participant (same order); exact, so one largest-remainder pass splits every rule.</summary>
    public static BigInteger[] Weights(IReadOnlyList<Participant> ordered, SplitRule rule) => rule.Method switch
    {
        SplitMethod.Equal => ordered.Select(_ => BigInteger.One).ToArray(),
        SplitMethod.Fte => ordered.Select(p => (BigInteger)p.Fte).ToArray(),
        SplitMethod.Usage => Usage(ordered),
        SplitMethod.Fixed => FixedWeights(ordered, rule.Fixed ?? []),
        SplitMethod.Tiered => ordered.Select(p => (BigInteger)TierPrice(p.Fte, rule.Tiers ?? [])).ToArray(),
        SplitMethod.Mixed => Mixed(ordered, rule.BaseBasisPoints ?? 0,
            rule.RestBy == SplitMethod.Usage ? Usage(ordered) : ordered.Select(p => (BigInteger)p.Fte).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static BigInteger[] Usage(IReadOnlyList<Participant> ordered)
    {
        var unknown = ordered.Where(p => p.Usage is null).Select(p => p.Member).ToList();
        if (unknown.Count > 0)
            throw new Rejected(SharingCodes.UsageMustBeKnown, $"no usage is recorded for {string.Join(", ", unknown)}");
        return ordered.Select(p => (BigInteger)p.Usage!.Value).ToArray();
    }

    private static BigInteger[] FixedWeights(IReadOnlyList<Participant> ordered, IReadOnlyList<FixedShare> shares)
    {
        var byMember = shares.ToDictionary(s => s.Member, s => s.BasisPoints, StringComparer.Ordinal);
        var covers = byMember.Count == ordered.Count && ordered.All(p => byMember.ContainsKey(p.Member));
        if (!covers || shares.Sum(s => (long)s.BasisPoints) != 10_000)
            throw new Rejected(SharingCodes.FixedSharesMustMatch,
                $"fixed shares name {string.Join(", ", byMember.Keys.Order(StringComparer.Ordinal))}; participants are {string.Join(", ", ordered.Select(p => p.Member))}");
        return ordered.Select(p => (BigInteger)byMember[p.Member]).ToArray();
    }

    private static long TierPrice(int fte, IReadOnlyList<FteTier> tiers)
    {
        var tier = tiers.Where(t => t.FromFte <= fte).MaxBy(t => t.FromFte)
                   ?? throw new Rejected(SharingCodes.TiersMustCoverFte, $"no FTE tier covers {fte}");
        return tier.PriceFen;
    }

    /// <summary>
    /// base b (basis points) equally, the rest by weight w: participant i weighs b·W + (10⁴ − b)·n·wᵢ, which is
    /// (b/10⁴)/n + (1 − b/10⁴)·wᵢ/W scaled by 10⁴·n·W. One split over these keeps the fen exact and the order monotone.
    /// </summary>
    private static BigInteger[] Mixed(IReadOnlyList<Participant> ordered, int baseBasisPoints, BigInteger[] rest)
    {
        var w = rest.Aggregate(BigInteger.Zero, (sum, r) => sum + r);
        var n = ordered.Count;
        if (w.IsZero) return ordered.Select(_ => BigInteger.One).ToArray(); // nothing to weigh the rest by: all of it equally
        return rest.Select(r => baseBasisPoints * w + (10_000 - baseBasisPoints) * n * r).ToArray();
    }
}
