using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Contracts.V1;
using MassTransit;
using Microsoft.AspNetCore.Hosting;

namespace Ledger.Api.Tests.Messaging;

/// <summary>The messaging tests share the one RabbitMQ the scripts start, and stop it on purpose: they never run in parallel.</summary>
public static class BrokerCollection
{
    public const string Name = "RabbitMQ";
}

/// <summary>
/// A subscriber on its own bus and queue: everything the ledger publishes, by message id. (The consumer is a separate
/// object: MassTransit disposes a consumer after each message, and disposing this one stops its bus.)
/// </summary>
public sealed class Subscriber : IAsyncDisposable
{
    /// <summary>Every message by its id (the de-duplicated view a subscriber keeps).</summary>
    public readonly ConcurrentDictionary<Guid, object> Received = new();
    /// <summary>The ledger-correlation-id header of every message that had one, by message id.</summary>
    public readonly ConcurrentDictionary<Guid, string> Correlations = new();
    /// <summary>Every delivery, duplicates included.</summary>
    public readonly ConcurrentBag<Guid> Deliveries = [];
    public readonly ConcurrentQueue<Iso18626Answered> Answers = new();
    public readonly ConcurrentQueue<LedgerCommandAnswered> CommandAnswers = new();
    public readonly ConcurrentQueue<AuditCheckpointIssued> Checkpoints = new();
    private IBusControl? bus;

    private string? queueName;

    public async Task Start(string queue)
    {
        queueName = queue;
        bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", "/", h =>
            {
                h.Username("guest");
                h.Password("guest");
            });
            // Durable, so it outlives a broker restart with its bindings: what is published meanwhile waits in it.
            var inbox = new Inbox(this);
            cfg.ReceiveEndpoint(queue, e => e.Consumer(() => inbox));
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public IBus Bus => bus!;

    /// <summary>Waits until every expected message id has arrived (or fails after the timeout, naming how many are missing).</summary>
    public async Task WaitFor(IReadOnlyCollection<Guid> expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (expected.Any(id => !Received.ContainsKey(id)))
        {
            if (clock.Elapsed > timeout)
                throw new ShouldAssertException($"{expected.Count(id => !Received.ContainsKey(id))} of {expected.Count} integration events never arrived");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (bus is not null) await bus.StopAsync();
        if (queueName is not null) await Broker.Run("delete_queue", queueName);
    }
}

public static class Broker
{
    /// <summary>A queue prefix of the test class's own, fresh each run (queues of an earlier run are deleted with it).</summary>
    public static string Prefix<TTests>() => $"t-{typeof(TTests).Name.ToLowerInvariant()}-{Guid.NewGuid():N}"[..40];

    /// <summary>Deletes every queue whose name starts with the prefix (the ledger's own and their error queues).</summary>
    public static async Task DeleteQueues(string prefix)
    {
        foreach (var (name, _) in await Queues())
            if (name.StartsWith(prefix, StringComparison.Ordinal)) await Run("delete_queue", name);
    }

    /// <summary>Every queue and how many messages wait in it.</summary>
    public static async Task<IReadOnlyList<(string Name, int Messages)>> Queues()
    {
        var output = await Run("list_queues", "name", "messages");
        return output.Split('\n').Select(l => l.Split('\t')).Where(p => p.Length == 2 && int.TryParse(p[1], out _))
            .Select(p => (p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>Stops or starts the RabbitMQ application (the Erlang node stays up), as the scripts installed it.</summary>
    public static async Task<string> Run(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/sbin/rabbitmqctl", ["-q", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ERL_EPMD_ADDRESS"] = "127.0.0.1" },
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await error);
        return await output;
    }
}

/// <summary>Takes every message the subscriber listens for into its collections.</summary>
public sealed class Inbox(Subscriber subscriber) :
    IConsumer<ChargePosted>, IConsumer<RefundPosted>, IConsumer<AllocationMade>, IConsumer<PaymentRecorded>, IConsumer<PeriodClosed>,
    IConsumer<StatementIssued>, IConsumer<SubsidyRefused>, IConsumer<Iso18626Answered>, IConsumer<LedgerCommandAnswered>, IConsumer<AuditCheckpointIssued>
{
    private Task Take(ConsumeContext context, object message)
    {
        subscriber.Deliveries.Add(context.MessageId!.Value);
        subscriber.Received.TryAdd(context.MessageId!.Value, message);
        if (context.Headers.Get<string>(global::Ledger.Api.Messaging.IntegrationEventPublisher.CorrelationHeader) is { } correlation)
            subscriber.Correlations[context.MessageId!.Value] = correlation;
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ChargePosted> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<RefundPosted> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<AllocationMade> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<PaymentRecorded> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<PeriodClosed> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<StatementIssued> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<SubsidyRefused> c) => Take(c, c.Message);

    public Task Consume(ConsumeContext<AuditCheckpointIssued> c)
    {
        subscriber.Checkpoints.Enqueue(c.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<Iso18626Answered> c)
    {
        subscriber.Answers.Enqueue(c.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<LedgerCommandAnswered> c)
    {
        subscriber.CommandAnswers.Enqueue(c.Message);
        return Task.CompletedTask;
    }
}
