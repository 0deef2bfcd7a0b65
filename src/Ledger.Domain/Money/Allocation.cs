namespace Ledger.Domain.Money;

/// <summary>
/// Splits a whole into parts proportional to weights with largest-remainder rounding, so the parts always sum to the
/// whole exactly. Ties in the remainders go to the earlier weight (callers order weights by a stable key, e.g. member
/// code), which makes every split reproducible.
/// </summary>
public static class Allocation
{
    public static long[] LargestRemainder(long total, IReadOnlyList<long> weights)
    {
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), "the whole must not be negative");
        if (weights.Count == 0) throw new ArgumentException("at least one weight is needed", nameof(weights));
        if (weights.Any(w => w < 0)) throw new ArgumentException("weights must not be negative", nameof(weights));

        Int128 weightSum = 0;
        foreach (var w in weights) weightSum += w;
        if (weightSum == 0) throw new ArgumentException("the weights must not all be zero", nameof(weights));

        // Exact integer arithmetic: part = ⌊total × w / W⌋, remainder = (total × w) mod W, all remainders over the same W.
        var parts = new long[weights.Count];
        var remainders = new Int128[weights.Count];
        long assigned = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var product = (Int128)total * weights[i];
            parts[i] = (long)(product / weightSum);
            remainders[i] = product % weightSum;
            assigned += parts[i];
        }

        var order = Enumerable.Range(0, weights.Count)
            .OrderByDescending(i => remainders[i])
            .ThenBy(i => i);
        foreach (var i in order.Take((int)(total - assigned))) parts[i]++;
        return parts;
    }
}
