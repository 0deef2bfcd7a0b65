using System.Collections.Concurrent;
using Ledger.Api.Operations;
using Ledger.Projections.Audit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Audit;

/// <summary>What this node's own verification of one chain found last: up to where, when, and the first bad sequence.</summary>
public sealed record ChainCheck(string Database, bool Intact, long VerifiedUpTo, DateTimeOffset CheckedAt, DateTimeOffset? LastFullPassAt,
    long? FirstMismatchSequence, string? Problem);

/// <summary>
/// The results of the verification that runs by itself (<see cref="AuditChainService"/>), per database: read by
/// readiness, the <c>ledger.audit.intact</c> gauge and <c>GET /api/audit/status</c> (the console's verification page).
/// </summary>
public sealed class AuditStatus
{
    private readonly ConcurrentDictionary<string, ChainCheck> checks = new(StringComparer.Ordinal);

    public AuditStatus() =>
        LedgerTelemetry.Meter.CreateObservableGauge("ledger.audit.intact", () => checks.Values.Select(c =>
                new System.Diagnostics.Metrics.Measurement<int>(c.Intact ? 1 : 0, new KeyValuePair<string, object?>("database", c.Database))),
            "{boolean}", "1 while this node's verification of the audit chain and seals finds the ledger intact, 0 once it does not");

    public IReadOnlyList<ChainCheck> All => checks.Values.OrderBy(c => c.Database, StringComparer.Ordinal).ToList();

    public ChainCheck? Of(string database) => checks.GetValueOrDefault(database);

    public void Record(ChainCheck check) => checks[check.Database] = check;
}

/// <summary>Readiness is degraded (never unavailable: the ledger still records and answers) once verification finds a broken chain.</summary>
public sealed class AuditChainCheck(AuditStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var all = status.All;
        var data = all.ToDictionary(c => c.Database, object (c) => c.Intact
            ? $"intact up to {c.VerifiedUpTo}"
            : $"broken at sequence {c.FirstMismatchSequence}: {c.Problem}");
        var broken = all.FirstOrDefault(c => !c.Intact);
        return Task.FromResult(broken is not null
            ? HealthCheckResult.Degraded($"the audit chain of {broken.Database} is broken at sequence {broken.FirstMismatchSequence}: {broken.Problem}", data: data)
            : HealthCheckResult.Healthy(all.Count == 0 ? "not verified yet" : "every audit chain verifies", data));
    }
}
