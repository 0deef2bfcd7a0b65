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
    /// The shares of <paramref name="totalFen"/>, one per participant in member-code order, summing to it exactly.
    /// Largest remainder on the fen; equal remainders go to the member whose code sorts first.
    /// </summary>
    public static IReadOnlyList<Share> Split(long totalFen, IReadOnlyList<Participant> participants, SplitRule rule)
    {
        var ordered = participants.OrderBy(p => p.Member, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0) throw new Rejected(SharingCodes.ParticipantsMustNotBeEmpty, "nobody takes part");
        var weights = Weights(ordered, rule);
        if (weights.All(w => w == 0))
            throw new Rejected(SharingCodes.WeightsMustNotAllBeZero, $"every participant weighs 0 under the {rule.Method} rule");
        var parts = Allocation.LargestRemainder(totalFen, weights);
        return ordered.Select((p, i) => new Share(p.Member, parts[i])).ToList();
    }

    /// <summary>The integer weight of each participant (same order); exact, so one largest-remainder pass splits every rule.</summary>
    public static long[] Weights(IReadOnlyList<Participant> ordered, SplitRule rule) => rule.Method switch
    {
        SplitMethod.Equal => ordered.Select(_ => 1L).ToArray(),
        SplitMethod.Fte => ordered.Select(p => (long)p.Fte).ToArray(),
        SplitMethod.Usage => Usage(ordered),
        SplitMethod.Fixed => FixedWeights(ordered, rule.Fixed ?? []),
        SplitMethod.Tiered => ordered.Select(p => TierPrice(p.Fte, rule.Tiers ?? [])).ToArray(),
        SplitMethod.Mixed => Mixed(ordered, rule.BaseBasisPoints ?? 0,
            rule.RestBy == SplitMethod.Usage ? Usage(ordered) : ordered.Select(p => (long)p.Fte).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static long[] Usage(IReadOnlyList<Participant> ordered)
    {
        var unknown = ordered.Where(p => p.Usage is null).Select(p => p.Member).ToList();
        if (unknown.Count > 0)
            throw new Rejected(SharingCodes.UsageMustBeKnown, $"no usage is recorded for {string.Join(", ", unknown)}");
        return ordered.Select(p => p.Usage!.Value).ToArray();
    }

    private static long[] FixedWeights(IReadOnlyList<Participant> ordered, IReadOnlyList<FixedShare> shares)
    {
        var byMember = shares.ToDictionary(s => s.Member, s => s.BasisPoints, StringComparer.Ordinal);
        var covers = byMember.Count == ordered.Count && ordered.All(p => byMember.ContainsKey(p.Member));
        if (!covers || shares.Sum(s => (long)s.BasisPoints) != 10_000)
            throw new Rejected(SharingCodes.FixedSharesMustMatch,
                $"fixed shares name {string.Join(", ", byMember.Keys.Order(StringComparer.Ordinal))}; participants are {string.Join(", ", ordered.Select(p => p.Member))}");
        return ordered.Select(p => (long)byMember[p.Member]).ToArray();
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
    private static long[] Mixed(IReadOnlyList<Participant> ordered, int baseBasisPoints, long[] rest)
    {
        var w = rest.Sum();
        var n = ordered.Count;
        if (w == 0) return ordered.Select(_ => 1L).ToArray(); // nothing to weigh the rest by: all of it equally
        return rest.Select(r => checked(baseBasisPoints * w + (10_000L - baseBasisPoints) * n * r)).ToArray();
    }
}
