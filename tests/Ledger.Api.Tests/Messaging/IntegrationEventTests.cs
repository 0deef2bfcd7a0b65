using System.Net;
using System.Text;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Contracts.V1;
using MassTransit;
using Npgsql;

namespace Ledger.Api.Tests.Messaging;

/// <summary>
/// ISO 18626 over the real RabbitMQ: a loan driven by queued messages, the confirmations published back, and an
/// unusable message sent to the error queue without holding up the queue. (The integration-event delivery tests are
/// not here yet: see the notes on issue 6 — messages published by the Marten subscription did not all arrive.)
/// </summary>
[Collection(BrokerCollection.Name)]
public class IntegrationEventTests(BrokerApp<IntegrationEventTests> app) : IClassFixture<BrokerApp<IntegrationEventTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;
    private readonly Subscriber subscriber = new();

    public async Task InitializeAsync()
    {
        await TestAlliance.Ensure(app);
        await subscriber.Start($"{app.QueuePrefix}-subscriber-{Guid.NewGuid():N}"[..60]);
    }

    public async Task DisposeAsync() => await subscriber.DisposeAsync();

    /// <summary>The ids of stored events that yield one integration event each (shipments, payments).</summary>
    private async Task<List<Guid>> EventIds(params string[] types)
    {
        await using var connection = new NpgsqlConnection(LedgerApp<IntegrationEventTests>.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id from {LedgerApp<IntegrationEventTests>.Schema}.mt_events where type = any($1)", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types });
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private async Task Ship(HttpClient finance, string id)
    {
        (await finance.Post($"{A}/loans", new { loanId = id, borrower = "XZMU", lender = "NJU", title = "t", at = "2026-10-12T08:30:00+08:00" })).EnsureSuccessStatusCode();
        (await finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-10-13T08:30:00+08:00" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task a_loan_goes_from_request_to_return_by_iso_18626_over_the_queue_and_an_unusable_message_goes_to_the_error_queue()
    {
        var op = app.As(Roles.Operator);
        foreach (var m in new[] { "NJU", "XZMU" })
            await op.Post($"{A}/members/{m}/agency-ids", new { type = "ISIL", value = $"CN-{m}" });
        var queue = new Uri($"queue:{app.QueuePrefix}-iso18626");
        var endpoint = await subscriber.Bus_.GetSendEndpoint(queue);
        string[] messages =
        [
            Iso18626.Iso18626Tests.Request("Q-L1", "Loan", 60m),
            Iso18626.Iso18626Tests.Request("Q-L1", "Loan", 60m), // a duplicate records nothing
            Iso18626.Iso18626Tests.Supplying("Q-L1", "Loaned", 40m),
            Iso18626.Iso18626Tests.Requesting("Q-L1", "Received"),
            Iso18626.Iso18626Tests.Requesting("Q-L1", "ShippedReturn", "2026-11-01T09:00:00+08:00"),
        ];
        foreach (var xml in messages)
        {
            await endpoint.Send(new SubmitIso18626("TST", xml));
            // One at a time, as a platform sends a transaction's messages in order.
            var before = subscriber.Answers.Count;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (subscriber.Answers.Count == before && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        }
        var loan = await (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/loans/Q-L1")).Json();
        loan.GetProperty("status").GetString().ShouldBe("returned");
        loan.GetProperty("version").GetInt64().ShouldBe(4);
        subscriber.Answers.Where(a => a.RequestId == "Q-L1").ShouldAllBe(a => a.MessageStatus == "OK");

        await endpoint.Send(new SubmitIso18626("TST", "<not-xml"));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!subscriber.Answers.Any(a => a.MessageStatus == "ERROR") && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        subscriber.Answers.ShouldContain(a => a.MessageStatus == "ERROR" && a.ErrorType == "BadlyFormedMessage");
        // The error queue holds it, with the reason; the queue goes on: a later message is still handled.
        await endpoint.Send(new SubmitIso18626("TST", Iso18626.Iso18626Tests.Request("Q-L2", "Copy", null)));
        waited.Restart();
        while (!subscriber.Answers.Any(a => a.RequestId == "Q-L2") && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        subscriber.Answers.ShouldContain(a => a.RequestId == "Q-L2" && a.MessageStatus == "OK");
        (await ErrorQueueDepth($"{app.QueuePrefix}-iso18626_error")).ShouldBe(1);
    }

    private static async Task<int> ErrorQueueDepth(string queue)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/sbin/rabbitmqctl", ["-q", "list_queues", "name", "messages"])
        {
            RedirectStandardOutput = true,
            Environment = { ["ERL_EPMD_ADDRESS"] = "127.0.0.1" },
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').Select(l => l.Split('\t')).FirstOrDefault(p => p.Length == 2 && p[0] == queue);
        return line is null ? 0 : int.Parse(line[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
