using Ledger.Projections.Audit;

namespace Ledger.Api.Audit;

/// <summary>Keeps the hash chain up with the event store while the host serves (like the projection daemon).</summary>
public sealed class AuditChainService(AuditChains chains, IConfiguration configuration, TimeProvider clock, ILogger<AuditChainService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Ledger:Audit:IntervalMilliseconds", 1000));
        // A signed checkpoint of each chain on a schedule, when the chain has moved on since the last one.
        var checkpointEvery = TimeSpan.FromMinutes(configuration.GetValue("Ledger:Audit:CheckpointMinutes", 60.0));
        var nextCheckpoint = clock.GetUtcNow() + checkpointEvery;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (_, chain) in chains.All) await chain.CatchUp(stoppingToken);
                if (clock.GetUtcNow() >= nextCheckpoint)
                {
                    nextCheckpoint = clock.GetUtcNow() + checkpointEvery;
                    foreach (var (database, chain) in chains.All)
                        if ((await chain.Head(stoppingToken)).Sequence > await chain.LastCheckpointSequence(stoppingToken))
                            await chain.IssueCheckpoint(database, clock.GetUtcNow(), stoppingToken);
                }
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
