using Ledger.Projections.Funding;
using Marten;

namespace Ledger.Api.Funding;

/// <summary>Before the host serves, a ledger whose grants predate the running-total table gets its totals (registered after Marten's schema step).</summary>
public sealed class GrantFundsStartup(IDocumentStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => GrantFunds.InitialiseIfEmpty(store, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
