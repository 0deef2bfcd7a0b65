using Ledger.Projections.Funding;
using Ledger.Projections.Ledger;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Before the host serves, a ledger older than the running-total tables (grants, account and funding days) gets its totals,
/// and a new ledger records that its events are sealed from the first on (registered after Marten's schema step).
/// </summary>
public sealed class RunningTotalsStartup(IDocumentStore store, Projections.Audit.AuditChains chains) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A new ledger records that its events are sealed from the first one on.
        foreach (var (_, chain) in chains.All) await chain.BeginSealing(cancellationToken);
        await GrantFunds.InitialiseIfEmpty(store, cancellationToken);
        await AccountDays.Sums.InitialiseIfEmpty(store, cancellationToken);
        await FundingDays.Sums.InitialiseIfEmpty(store, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
