using Ledger.Projections.Audit;

namespace Ledger.Api.Audit;

/// <summary>
/// Keeps the hash chain up with the event store while the host serves (like the projection daemon), and verifies it by
/// itself: every new link and seal as the chain grows (from the last link it verified), the whole chain and every seal
/// on a schedule (<c>Ledger:Audit:FullVerificationMinutes</c>, default 360, and once at start), and a signed
/// checkpoint on a schedule. What it finds goes to <see cref="AuditStatus"/> (readiness, a gauge, the console) and,
/// when the ledger is found altered, to a critical log line.
/// </summary>
public sealed class AuditChainService(AuditChains chains, AuditStatus status, CheckpointIssuer checkpoints, IConfiguration configuration,
    TimeProvider clock, ILogger<AuditChainService> log) : BackgroundService
{
    private readonly Dictionary<string, ChainHead> verified = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(configuration.GetValue("Ledger:Audit:IntervalMilliseconds", 1000));
        // A signed checkpoint of each chain on a schedule, when the chain has moved on since the last one.
        var checkpointEvery = TimeSpan.FromMinutes(configuration.GetValue("Ledger:Audit:CheckpointMinutes", 60.0));
        var fullEvery = TimeSpan.FromMinutes(configuration.GetValue("Ledger:Audit:FullVerificationMinutes", 360.0));
        var nextCheckpoint = clock.GetUtcNow() + checkpointEvery;
        var nextFull = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (_, chain) in chains.All) await chain.CatchUp(stoppingToken);
                var full = clock.GetUtcNow() >= nextFull;
                if (full) nextFull = clock.GetUtcNow() + fullEvery;
                foreach (var (database, chain) in chains.All) await Check(database, chain, full, stoppingToken);
                if (clock.GetUtcNow() >= nextCheckpoint)
                {
                    nextCheckpoint = clock.GetUtcNow() + checkpointEvery;
                    foreach (var (database, chain) in chains.All)
                        if ((await chain.Head(stoppingToken)).Sequence > await chain.LastCheckpointSequence(stoppingToken))
                            await checkpoints.Issue(database, stoppingToken);
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

    /// <summary>Verifies what is new since the last link verified here (or everything), and records what it found.</summary>
    private async Task Check(string database, AuditChainWriter chain, bool full, CancellationToken ct)
    {
        var previous = status.Of(database);
        if (!full && previous is { Intact: false }) return; // a broken chain stays reported until the next full pass
        var from = full ? null : verified.GetValueOrDefault(database);
        var result = await chain.Verify(ct, from: from);
        var now = clock.GetUtcNow();
        if (result.Intact)
        {
            if (await chain.At(result.CheckedUpTo, ct) is { } link) verified[database] = link; // the next pass starts after it
            status.Record(new ChainCheck(database, true, result.CheckedUpTo, now, full ? now : previous?.LastFullPassAt, null, null));
            return;
        }
        verified.Remove(database);
        if (previous is not { Intact: false } || previous.FirstMismatchSequence != result.FirstMismatchSequence)
            log.LogCritical("audit: the ledger in database {Database} is altered at sequence {Sequence}: {Problem}", database, result.FirstMismatchSequence,
                result.Problem);
        status.Record(new ChainCheck(database, false, result.CheckedUpTo, now, full ? now : previous?.LastFullPassAt, result.FirstMismatchSequence, result.Problem));
    }
}
