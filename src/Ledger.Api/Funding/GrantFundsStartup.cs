using Ledger.Projections.Funding;
using Marten;

namespace Ledger.Api.Funding;

/// <summary>
/// Before the host serves, a ledger older than the running-total tables (grants, account days) gets its totals
/// (registered after Marten's schema step).
/// </summary>
public sealed class GrantFundsStartup(IDocumentStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await GrantFunds.InitialiseIfEmpty(store, cancellationToken);
        await Projections.Ledger.AccountDays.Sums.InitialiseIfEmpty(store, cancellationToken);
        await FundingDays.Sums.InitialiseIfEmpty(store, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
