using System.Security.Cryptography;
using Ledger.Contracts.V1;
using Ledger.Projections.Audit;
using MassTransit;

namespace Ledger.Api.Audit;

/// <summary>
/// Issues a signed checkpoint of a chain (kept in the database) and publishes it for the department
/// (<see cref="AuditCheckpointIssued"/>, message id derived from the signature, so a subscriber de-duplicates). The
/// publication waits a few seconds at most: with the broker away the checkpoint is still issued and listed, and the
/// next one is published when the broker is back.
/// </summary>
public sealed class CheckpointIssuer(AuditChains chains, IServiceProvider services, TimeProvider clock, ILogger<CheckpointIssuer> log)
{
    public async Task<Checkpoint> Issue(string database, CancellationToken ct)
    {
        var chain = chains.Named(database) ?? throw new Domain.NotFound(AuditCodes.DatabaseMustExist, $"there is no ledger database named {database}");
        var checkpoint = await chain.IssueCheckpoint(database, clock.GetUtcNow(), ct);
        if (services.GetService<IBus>() is { } bus)
        {
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds(5));
                var id = new Guid(SHA256.HashData(Convert.FromHexString(checkpoint.Signature)).AsSpan(0, 16));
                await bus.Publish(new AuditCheckpointIssued(checkpoint.Database, checkpoint.Sequence, checkpoint.Hash, checkpoint.IssuedAt, checkpoint.KeyId,
                    checkpoint.Signature), context => context.MessageId = id, wait.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogWarning(e, "audit: checkpoint {Sequence} of {Database} issued but not published", checkpoint.Sequence, database);
            }
        }
        return checkpoint;
    }
}
