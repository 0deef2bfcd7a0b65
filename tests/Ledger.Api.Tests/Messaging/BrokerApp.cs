using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Contracts.V1;
using MassTransit;
using Microsoft.AspNetCore.Hosting;

namespace Ledger.Api.Tests.Messaging;

/// <summary>The messaging tests share the one RabbitMQ the scripts start, and stop it on purpose: they never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerCollection
{
    public const string Name = "RabbitMQ";
}

/// <summary>The API host with the real broker, its queues under a prefix of its own.</summary>
public class BrokerApp<TTests> : LedgerApp<TTests>
{
    public readonly string QueuePrefix = $"t-{typeof(TTests).Name.ToLowerInvariant()}-{Guid.NewGuid():N}"[..40];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("RabbitMq:Host", "127.0.0.1");
        builder.UseSetting("RabbitMq:QueuePrefix", QueuePrefix);
    }
}

/// <summary>A subscriber on its own bus and queue: everything the ledger publishes, by message id.</summary>
public sealed class Subscriber : IAsyncDisposable,
    IConsumer<ChargePosted>, IConsumer<RefundPosted>, IConsumer<AllocationMade>, IConsumer<PaymentRecorded>, IConsumer<PeriodClosed>,
    IConsumer<StatementIssued>, IConsumer<SubsidyRefused>, IConsumer<Iso18626Answered>
{
    public readonly ConcurrentDictionary<Guid, object> Received = new();
    public readonly ConcurrentBag<Guid> Deliveries = [];
    public readonly ConcurrentQueue<Iso18626Answered> Answers = new();
    private IBusControl? bus;

    private string? queueName;

    public async Task Start(string queue)
    {
        queueName = queue;
        bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", "/", h =>
            {
                h.Username("guest");
                h.Password("guest");
            });
            // Durable, so it outlives a broker restart with its bindings: what is published meanwhile waits in it.
            cfg.ReceiveEndpoint(queue, e => e.Consumer(() => this));
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public IBus Bus_ => bus!;

    private Task Take(ConsumeContext context, object message)
    {
        Deliveries.Add(context.MessageId!.Value);
        Received.TryAdd(context.MessageId!.Value, message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ChargePosted> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<RefundPosted> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<AllocationMade> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<PaymentRecorded> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<PeriodClosed> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<StatementIssued> c) => Take(c, c.Message);
    public Task Consume(ConsumeContext<SubsidyRefused> c) => Take(c, c.Message);

    public Task Consume(ConsumeContext<Iso18626Answered> c)
    {
        Answers.Enqueue(c.Message);
        return Task.CompletedTask;
    }

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
    /// <summary>Stops or starts the RabbitMQ application (the Erlang node stays up), as the scripts installed it.</summary>
    public static async Task Run(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/sbin/rabbitmqctl", ["-q", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ERL_EPMD_ADDRESS"] = "127.0.0.1" },
        })!;
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync());
    }
}
