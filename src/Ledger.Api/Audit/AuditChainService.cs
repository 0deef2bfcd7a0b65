using Ledger.Projections.Audit;

namespace Ledger.Api.Audit;

/// <summary>Keeps the hash chain up with the event store while the host serves (like the projection daemon).</summary>
public sealed class AuditChainService(AuditChains chains, IConfiguration configuration, ILogger<AuditChainService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Ledger:Audit:IntervalMilliseconds", 1000));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (_, chain) in chains.All) await chain.CatchUp(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "the audit chain could not catch up; retrying");
            }
            try
            {
                await Task.Delay(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
