using Ledger.Api.Operations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Tests.Operations;

/// <summary>When readiness takes a node out: a late read model does, late integration events do not.</summary>
public class HealthVerdictTests
{
    private static ProjectionLag Lag(long last, long usage, long events) =>
        new(last, last - Math.Min(usage, events), new Dictionary<string, long> { ["UsageMonth:V2:All"] = usage, ["integration-events:All"] = events });

    [Theory]
    [InlineData(5_000_000, 5_000_000, 5_000_000, HealthStatus.Healthy)] // everything caught up
    [InlineData(5_000_000, 4_990_000, 5_000_000, HealthStatus.Degraded)] // usage 10,000 behind: over the warning
    [InlineData(5_000_000, 5_000_000, 0, HealthStatus.Degraded)] // integration events 5,000,000 behind (an import): late messages, right answers
    [InlineData(5_000_000, 3_000_000, 5_000_000, HealthStatus.Unhealthy)] // usage 2,000,000 behind: a new version still building
    [InlineData(5_000_000, 0, 0, HealthStatus.Unhealthy)]
    public void readiness_is_lost_only_for_a_read_model_over_the_critical_lag(long last, long usage, long events, HealthStatus expected) =>
        ProjectionLagCheck.Verdict([Lag(last, usage, events)], 10_000, 1_000_000).Status.ShouldBe(expected);

    [Fact]
    public void the_worst_database_decides() =>
        ProjectionLagCheck.Verdict([Lag(100, 100, 100), Lag(3_000_000, 1, 3_000_000)], 10_000, 1_000_000).ShouldBe((HealthStatus.Unhealthy, "read models are 2999999 events behind"));
}
