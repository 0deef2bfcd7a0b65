using FsCheck.Xunit;
using Ledger.Domain.Money;

namespace Ledger.Domain.Tests.Money;

public class AllocationTests
{
    [Fact]
    public void a_remainder_goes_to_the_largest_fraction_and_ties_to_the_earlier_part() =>
        Allocation.LargestRemainder(100, [1, 1, 1]).ShouldBe([34, 33, 33]);

    [Fact]
    public void a_zero_weight_gets_nothing() => Allocation.LargestRemainder(10_00, [0, 3, 1]).ShouldBe([0, 7_50, 2_50]);

    [Property(MaxTest = 500)]
    public void parts_always_sum_to_the_whole_are_never_negative_and_follow_the_weights(int seed)
    {
        var random = new Random(seed);
        var total = random.NextInt64(0, 1_000_000_000_00);
        var weights = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.NextInt64(0, 200_000)).ToArray();
        if (weights.All(w => w == 0)) weights[0] = 1;

        var parts = Allocation.LargestRemainder(total, weights);

        parts.Sum().ShouldBe(total);
        parts.ShouldAllBe(p => p >= 0);
        for (var i = 0; i < weights.Length; i++)
            for (var j = 0; j < weights.Length; j++)
                if (weights[i] > weights[j]) parts[i].ShouldBeGreaterThanOrEqualTo(parts[j]);
    }
}
