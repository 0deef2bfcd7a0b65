using System.Numerics;

namespace Ledger.Domain.Money;

/// <summary>
/// Splits a whole into parts proportional to weights with largest-remainder rounding, so the parts always sum to the
/// whole exactly. Ties in the remainders go to the earlier weight (callers order weights by a stable key, e.g. member
/// code), which makes every split reproducible. The arithmetic is exact whatever the weights: usage counts of 10¹⁹
/// under a mixed rule weigh beyond 64 bits, and nothing here overflows.
/// </summary>
public static class Allocation
{
    public static long[] LargestRemainder(long total, IReadOnlyList<long> weights) =>
        LargestRemainder(total, weights.Select(w => (BigInteger)w).ToList());

    public static long[] LargestRemainder(long total, IReadOnlyList<BigInteger> weights)
    {
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), "the whole must not be negative");
        if (weights.Count == 0) throw new ArgumentException("at least one weight is needed", nameof(weights));
        if (weights.Any(w => w.Sign < 0)) throw new ArgumentException("weights must not be negative", nameof(weights));

        var weightSum = BigInteger.Zero;
        foreach (var w in weights) weightSum += w;
        if (weightSum.IsZero) throw new ArgumentException("the weights must not all be zero", nameof(weights));

        // part = ⌊total × w / W⌋, remainder = (total × w) mod W, all remainders over the same W.
        var parts = new long[weights.Count];
        var remainders = new BigInteger[weights.Count];
        long assigned = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var quotient = BigInteger.DivRem(total * weights[i], weightSum, out remainders[i]);
            parts[i] = (long)quotient;
            assigned += parts[i];
        }

        var order = Enumerable.Range(0, weights.Count)
            .OrderByDescending(i => remainders[i])
            .ThenBy(i => i);
        foreach (var i in order.Take((int)(total - assigned))) parts[i]++;
        return parts;
    }
}
