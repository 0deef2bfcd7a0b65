using MassTransit;

namespace Ledger.Api.Messaging;

/// <summary>The "RabbitMq" section: a host turns the broker on; without one the bus runs in memory.</summary>
public sealed class RabbitMqSettings
{
    public string? Host { get; set; }
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>Prefix of the ledger's own queues (several ledgers, or test runs, can share a broker).</summary>
    public string QueuePrefix { get; set; } = "ledger";
}

public static class MessagingSetup
{
    /// <summary>MassTransit 8 over RabbitMQ when a host is configured, else in memory; the ISO 18626 queue consumer.</summary>
    public static void AddLedgerMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var rabbit = configuration.GetSection("RabbitMq").Get<RabbitMqSettings>() ?? new RabbitMqSettings();
        services.AddSingleton(rabbit);
        services.AddMassTransit(x =>
        {
            // MassTransit 8.5 reports usage to its vendor (usage-tracking.masstransit.io) unless told not to: a ledger of
            // libraries' money sends nothing anywhere it was not configured to (seen trying, and failing, in a rebuild's log).
            x.DisableUsageTelemetry();
            x.AddConsumer<Iso18626Consumer>();
            x.AddConsumer<LedgerCommandConsumer>();
            if (string.IsNullOrWhiteSpace(rabbit.Host))
            {
                x.UsingInMemory((context, cfg) => Endpoints(context, cfg, rabbit));
                return;
            }
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                });
                Endpoints(context, cfg, rabbit);
            });
        });
    }

    private static void Endpoints<TEndpoint>(IBusRegistrationContext context, IBusFactoryConfigurator<TEndpoint> cfg, RabbitMqSettings rabbit)
        where TEndpoint : IReceiveEndpointConfigurator
    {
        cfg.ReceiveEndpoint($"{rabbit.QueuePrefix}-iso18626", e =>
        {
            Unusable(e);
            e.ConfigureConsumer<Iso18626Consumer>(context);
        });
        cfg.ReceiveEndpoint($"{rabbit.QueuePrefix}-commands", e =>
        {
            Unusable(e);
            e.ConfigureConsumer<LedgerCommandConsumer>(context);
        });
    }

    /// <summary>A message the ledger cannot use will not become usable by retrying: straight to the error queue. Others are retried a few times.</summary>
    private static void Unusable(IReceiveEndpointConfigurator e) =>
        e.UseMessageRetry(r =>
        {
            r.Ignore<UnusableMessage>();
            r.Incremental(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500));
        });
}
