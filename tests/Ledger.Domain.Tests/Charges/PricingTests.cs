using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;

namespace Ledger.Domain.Tests.Charges;

public class PricingTests
{
    [Theory]
    [InlineData(40_00, 5000, 100_00, 20_00)]   // half of 40.00
    [InlineData(33, 5000, 100_00, 16)]          // 16.5 fen rounds down
    [InlineData(300_00, 5000, 100_00, 100_00)]  // capped at 100.00
    [InlineData(40_00, 10000, 100_00, 40_00)]   // 100 % is the whole fee
    [InlineData(40_00, 10000, 0, 0)]            // a zero cap pays nothing
    public void a_subsidy_is_the_rate_times_the_fee_rounded_down_and_capped(long fee, int bp, long cap, long expected) =>
        Pricing.Subsidy(fee, new SubsidyRule("west", bp, cap)).ShouldBe(expected);

    [Fact]
    public void a_region_without_a_rule_gets_no_subsidy() => Pricing.Subsidy(40_00, null).ShouldBe(0);

    [Fact]
    public void a_charge_without_subsidy_or_reward_names_no_grant()
    {
        var policy = TestAlliance.Policy with { SupplierRewardFen = 0 };
        Pricing.Price(policy, 40_00, null, "south", null).GrantAccount.ShouldBeNull();
    }
}
