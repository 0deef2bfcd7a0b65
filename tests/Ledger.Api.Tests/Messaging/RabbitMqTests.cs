using System.Diagnostics;
using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Contracts.V1;
using Ledger.Hosting;

namespace Ledger.Api.Tests.Messaging;

/// <summary>
/// The API as its own process on the real PostgreSQL and RabbitMQ the scripts start, a subscriber on the broker, and
/// the alliance set up once. The tests stop the broker and kill the process on purpose, so the class runs alone.
/// </summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    public const string Schema = "t_rabbitmqtests";
    public readonly string QueuePrefix = Broker.Prefix<RabbitMqTests>();
    public ApiProcess Api { get; private set; } = null!;
    public Subscriber Subscriber { get; } = new();

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(LedgerApp<RabbitMqFixture>.ConnectionString, Schema);
        Api = new ApiProcess(LedgerApp<RabbitMqFixture>.ConnectionString, Schema, LedgerApp<RabbitMqFixture>.SigningKey,
            new Dictionary<string, string> { ["RabbitMq__Host"] = "127.0.0.1", ["RabbitMq__QueuePrefix"] = QueuePrefix });
        await Api.Start();
        // Subscribed before anything is recorded, so every integration event has a queue to land in.
        await Subscriber.Start($"{QueuePrefix}-subscriber");
        await TestAlliance.Alliance(Api.As(Roles.Operator, TestAlliance.Code), Api.As(Roles.FinanceOfficer, TestAlliance.Code));
        foreach (var m in new[] { "NJU", "SEU", "XZMU" })
            (await Api.As(Roles.Operator, TestAlliance.Code).Post($"{TestAlliance.A}/members/{m}/agency-ids", new { type = "ISIL", value = $"CN-{m}" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Subscriber.DisposeAsync();
        await Broker.DeleteQueues(QueuePrefix);
    }
}

[CollectionDefinition(BrokerCollection.Name, DisableParallelization = true)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>;

[Collection(BrokerCollection.Name)]
public class RabbitMqTests(RabbitMqFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string A = TestAlliance.A;
    private ApiProcess Api => fixture.Api;
    private Subscriber Subscriber => fixture.Subscriber;

    /// <summary>Requests and ships a loan, retrying while the API cannot be reached (the commands are idempotent).</summary>
    private async Task<bool> Ship(string id, TimeSpan patience)
    {
        var finance = Api.As(Roles.FinanceOfficer, TestAlliance.Code);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var requested = await finance.Post($"{A}/loans", new { loanId = id, borrower = "XZMU", lender = "NJU", title = "t", at = "2026-10-12T08:30:00+08:00" });
                if (requested.IsSuccessStatusCode)
                {
                    var shipped = await finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-10-13T08:30:00+08:00" });
                    if (shipped.IsSuccessStatusCode) return true;
                    shipped.StatusCode.ShouldBe(HttpStatusCode.Conflict, await shipped.Content.ReadAsStringAsync()); // shipped before the process died
                    (await (await finance.GetAsync($"{A}/loans/{id}")).Json()).GetProperty("status").GetString().ShouldBe("shipped");
                    return true;
                }
                requested.StatusCode.ShouldBeOneOf(HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError);
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (clock.Elapsed > patience) return false;
            await Task.Delay(100);
        }
    }

    private async Task EveryShipmentArrives(TimeSpan timeout)
    {
        var expected = await Db.EventIds(LedgerApp<RabbitMqFixture>.ConnectionString, RabbitMqFixture.Schema, "v1.loan_shipped");
        var clock = Stopwatch.StartNew();
        await Subscriber.WaitFor(expected, timeout);
        output.WriteLine($"{expected.Count} shipments arrived ({clock.ElapsedMilliseconds} ms after the last command); " +
                         $"{Subscriber.Deliveries.Count} deliveries of {Subscriber.Received.Count} distinct messages so far");
        foreach (var id in expected) Subscriber.Received[id].ShouldBeOfType<ChargePosted>().EventId.ShouldBe(id);
    }

    [Fact]
    public async Task a_checkpoint_issued_for_the_auditor_is_published_for_the_department_with_its_signature()
    {
        var auditor = Api.As(Roles.Auditor, TestAlliance.Code, department: TestAlliance.Department);
        var issued = await (await auditor.PostAsync("/api/audit/checkpoints", null)).Json();
        var signature = issued.GetProperty("signature").GetString();
        await Until(() => Subscriber.Checkpoints.Any(c => c.Signature == signature), "the published checkpoint");
        var published = Subscriber.Checkpoints.First(c => c.Signature == signature);
        (published.Database, published.Sequence, published.Hash).ShouldBe(("main", issued.GetProperty("sequence").GetInt64(), issued.GetProperty("hash").GetString()));
        // What the department received verifies as the auditor's own receipt does.
        var verified = await (await auditor.Post("/api/audit/verification", published)).Json();
        verified.GetProperty("checkpointMatches").GetBoolean().ShouldBeTrue(verified.GetRawText());
    }

    [Fact]
    public async Task a_loan_goes_from_request_to_return_by_iso_18626_over_the_queue_and_an_unusable_message_goes_to_the_error_queue()
    {
        var endpoint = await Subscriber.Bus.GetSendEndpoint(new Uri($"queue:{fixture.QueuePrefix}-iso18626"));
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
            // One at a time, as a platform sends a transaction's messages in order.
            var before = Subscriber.Answers.Count;
            await endpoint.Send(new SubmitIso18626("TST", xml));
            await Until(() => Subscriber.Answers.Count > before, "the confirmation of a queued message");
        }
        var loan = await (await Api.As(Roles.FinanceOfficer, TestAlliance.Code).GetAsync($"{A}/loans/Q-L1")).Json();
        loan.GetProperty("status").GetString().ShouldBe("returned");
        loan.GetProperty("version").GetInt64().ShouldBe(4);
        Subscriber.Answers.Where(a => a.RequestId == "Q-L1").ShouldAllBe(a => a.MessageStatus == "OK");

        await endpoint.Send(new SubmitIso18626("TST", "<not-xml"));
        await Until(() => Subscriber.Answers.Any(a => a.MessageStatus == "ERROR"), "the ERROR confirmation");
        Subscriber.Answers.ShouldContain(a => a.MessageStatus == "ERROR" && a.ErrorType == "BadlyFormedMessage");
        // The error queue holds it; the queue goes on: a later message is still handled.
        await endpoint.Send(new SubmitIso18626("TST", Iso18626.Iso18626Tests.Request("Q-L2", "Copy", null)));
        await Until(() => Subscriber.Answers.Any(a => a.RequestId == "Q-L2"), "the confirmation after the poison message");
        Subscriber.Answers.ShouldContain(a => a.RequestId == "Q-L2" && a.MessageStatus == "OK");
        (await Broker.Queues()).ShouldContain(($"{fixture.QueuePrefix}-iso18626_error", 1));
        await EveryShipmentArrives(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task the_ledgers_own_commands_come_over_the_queue_a_duplicate_records_once_and_a_refused_one_goes_to_the_error_queue_with_its_code()
    {
        var endpoint = await Subscriber.Bus.GetSendEndpoint(new Uri($"queue:{fixture.QueuePrefix}-commands"));
        async Task<LedgerCommandAnswered> Send(string command, string id, string? body)
        {
            var before = Subscriber.CommandAnswers.Count;
            await endpoint.Send(new SubmitLedgerCommand("TST", command, id, body));
            await Until(() => Subscriber.CommandAnswers.Count > before, $"the answer to {command}");
            return Subscriber.CommandAnswers.Last();
        }

        var request = """{"deliveryId":"QC-D1","requester":"XZMU","supplier":"SEU","title":"Cell","at":"2026-10-20T09:00:00+08:00"}""";
        (await Send("delivery.request", "QC-D1", request)).ShouldSatisfyAllConditions(a => a.Status.ShouldBe("OK"), a => a.Version.ShouldBe(1));
        (await Send("delivery.request", "QC-D1", request)).Version.ShouldBe(1); // the duplicate records nothing
        var fulfilled = await Send("delivery.fulfilled", "QC-D1", """{"pages":12,"at":"2026-10-20T15:00:00+08:00"}""");
        fulfilled.Status.ShouldBe("OK");
        fulfilled.Version.ShouldBe(2);
        var delivery = await (await Api.As(Roles.FinanceOfficer, TestAlliance.Code).GetAsync($"{A}/deliveries/QC-D1")).Json();
        delivery.GetProperty("status").GetString().ShouldBe("fulfilled");

        // Refused: by the decider (already fulfilled), by the validator, by strict JSON, an unknown command. Each has its code.
        (await Send("delivery.unfilled", "QC-D1", """{"reason":"not held"}""")).Code.ShouldNotBeNull();
        (await Send("delivery.fulfilled", "QC-D2", """{"pages":-1}""")).Code.ShouldBe("request_invalid");
        (await Send("loan.shipped", "QC-L1", """{"charge":"forty"}""")).Code.ShouldBe("request_malformed");
        (await Send("loan.teleported", "QC-L1", null)).Code.ShouldBe("request_invalid");
        (await Broker.Queues()).ShouldContain(($"{fixture.QueuePrefix}-commands_error", 4));
        (await Api.As(Roles.FinanceOfficer, TestAlliance.Code).GetAsync($"{A}/loans/QC-L1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task with_rabbitmq_stopped_commands_still_succeed_and_every_integration_event_arrives_once_it_is_back()
    {
        for (var i = 1; i <= 10; i++) (await Ship($"OUT-{i}", TimeSpan.FromSeconds(30))).ShouldBeTrue();
        await EveryShipmentArrives(TimeSpan.FromSeconds(60));

        await Broker.Run("stop_app");
        try
        {
            // The event store is the source of truth: the API answers as usual while the broker is away.
            for (var i = 11; i <= 30; i++) (await Ship($"OUT-{i}", TimeSpan.Zero)).ShouldBeTrue();
        }
        finally
        {
            await Broker.Run("start_app");
            await Broker.Run("await_startup");
        }
        await EveryShipmentArrives(TimeSpan.FromSeconds(120));
        (await Db.EventIds(LedgerApp<RabbitMqFixture>.ConnectionString, RabbitMqFixture.Schema, "v1.loan_shipped")).Count.ShouldBeGreaterThanOrEqualTo(30);
    }

    [Fact]
    public async Task after_the_api_is_killed_mid_stream_and_restarted_no_acknowledged_command_and_no_integration_event_is_lost()
    {
        var acknowledged = new List<string>();
        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= 60; i++)
            {
                if (await Ship($"KILL-{i}", TimeSpan.FromSeconds(120))) lock (acknowledged) acknowledged.Add($"KILL-{i}");
            }
        });
        await Until(() =>
        {
            lock (acknowledged) return acknowledged.Count >= 20;
        }, "20 shipped loans");
        var killed = Api.ProcessId;
        await Api.Kill(); // SIGKILL while loans are being shipped and their events published
        await Task.Delay(500);
        await Api.Start();
        Api.ProcessId.ShouldNotBe(killed);
        await writer;

        acknowledged.Count.ShouldBe(60);
        var finance = Api.As(Roles.FinanceOfficer, TestAlliance.Code);
        foreach (var id in acknowledged)
            (await (await finance.GetAsync($"{A}/loans/{id}")).Json()).GetProperty("status").GetString().ShouldBe("shipped", id);
        await EveryShipmentArrives(TimeSpan.FromSeconds(120));
        // At least once: a batch published before the kill but not yet marked done comes again, with the same message id.
        Subscriber.Deliveries.Count.ShouldBeGreaterThanOrEqualTo(Subscriber.Received.Count);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new ShouldAssertException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
