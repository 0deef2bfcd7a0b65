using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace Ledger.Api.Messaging;

/// <summary>
/// A Marten subscription (run by the async daemon, which remembers how far it got) that publishes the integration
/// events of every stored event in sequence order. A message is retried until the broker takes it, so a broker outage
/// delays messages but loses none; a crash before the daemon records its progress republishes the last batch, so
/// delivery is at least once and subscribers de-duplicate by message id (= the event's id).
/// </summary>
public sealed class IntegrationEventPublisher : SubscriptionBase
{
    private readonly IBus bus;
    private readonly ILogger<IntegrationEventPublisher> log;

    /// <summary>The subscription's name (its progress row is "integration-events:All").</summary>
    public const string SubscriptionName = "integration-events";

    public IntegrationEventPublisher(IBus bus, ILogger<IntegrationEventPublisher> log)
    {
        this.bus = bus;
        this.log = log;
        Name = SubscriptionName;
        foreach (var type in IntegrationEvents.Sources) IncludeType(type);
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        CancellationToken cancellationToken)
    {
        foreach (var e in page.Events)
            foreach (var (id, message) in IntegrationEvents.From(e))
                await PublishUntilTaken(id, message, e.CorrelationId, cancellationToken);
        return NullChangeListener.Instance;
    }

    /// <summary>The header carrying the correlation id stored with the event (the trace id of the request that recorded it).</summary>
    public const string CorrelationHeader = "ledger-correlation-id";

    private async Task PublishUntilTaken(Guid id, Contracts.V1.ILedgerIntegrationEvent message, string? correlationId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await bus.Publish((object)message, message.GetType(), context =>
                {
                    context.MessageId = id;
                    if (correlationId is not null) context.Headers.Set(CorrelationHeader, correlationId);
                }, timeout.Token);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 10 == 0)
                    log.LogWarning(e, "publishing {Message} {Id} failed (attempt {Attempt}); retrying until the broker takes it", message.GetType().Name, id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 5000)), ct);
            }
        }
    }
}
