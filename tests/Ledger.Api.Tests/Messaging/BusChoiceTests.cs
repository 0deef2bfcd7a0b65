using Ledger.Api.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Messaging;

public class BusChoiceTests(LedgerApp<BusChoiceTests> app) : IClassFixture<LedgerApp<BusChoiceTests>>
{
    [Fact]
    public void without_a_configured_broker_the_bus_runs_in_memory() =>
        app.Services.GetRequiredService<IBus>().Address.Scheme.ShouldBe("loopback");
}
