using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Api.Tests.Messaging;
using Ledger.Hosting;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// Two API processes on different ports sharing one schema and one RabbitMQ, as two nodes behind a load balancer. The
/// class kills nodes and uses the broker: it runs in the broker's collection (never in parallel with the other tests
/// that stop the broker or kill processes).
/// </summary>
public sealed class MultiNodeFixture : IAsyncLifetime
{
    public const string Schema = "t_multinodetests";
    public readonly string QueuePrefix = Broker.Prefix<MultiNodeTests>();
    public ApiProcess[] Nodes { get; private set; } = [];
    public Subscriber Subscriber { get; } = new();

    public ApiProcess Node(int i, bool start = false)
    {
        Nodes[i] = new ApiProcess(LedgerApp<MultiNodeFixture>.ConnectionString, Schema, LedgerApp<MultiNodeFixture>.SigningKey,
            new Dictionary<string, string>
            {
                ["RabbitMq__Host"] = "127.0.0.1",
                ["RabbitMq__QueuePrefix"] = QueuePrefix,
                ["Ledger__Node"] = $"node-{i}",
            });
        return Nodes[i];
    }

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(LedgerApp<MultiNodeFixture>.ConnectionString, Schema);
        Nodes = new ApiProcess[2];
        await Node(0).Start();
        await Node(1).Start();
        await Subscriber.Start($"{QueuePrefix}-subscriber");
        await TestAlliance.Alliance(Nodes[0].As(Roles.Operator, TestAlliance.Code), Nodes[1].As(Roles.FinanceOfficer, TestAlliance.Code));
    }

    /// <summary>Starts again any node a test killed (the next test finds two nodes, whatever the last one did).</summary>
    public async Task EnsureRunning()
    {
        for (var i = 0; i < Nodes.Length; i++)
            if (Nodes[i].ProcessId is null)
                await Node(i).Start();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        await Subscriber.DisposeAsync();
        await Broker.DeleteQueues(QueuePrefix);
    }
}

[Collection(BrokerCollection.Name)]
public class MultiNodeTests(MultiNodeFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MultiNodeFixture>
{
    private const string A = TestAlliance.A;
    private static readonly string Connection = LedgerApp<MultiNodeFixture>.ConnectionString;

    private static Task<long> Scalar(string sql) => Db.Scalar(Connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, MultiNodeFixture.Schema));

    private static Task<List<string>> Rows(string sql) => Db.Rows(Connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, MultiNodeFixture.Schema));

    /// <summary>The readiness answer of a node: which projections it runs, how far behind they are.</summary>
    private static async Task<JsonElement?> Ready(ApiProcess node)
    {
        try
        {
            using var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(5) };
            var response = await client.GetAsync("/health/ready");
            return await response.Json();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<string[]> RunningOn(ApiProcess node) =>
        await Ready(node) is { } ready
            ? ready.GetProperty("checks").GetProperty("projections").GetProperty("data").GetProperty("runningHere").EnumerateArray().Select(e => e.GetString()!).ToArray()
            : [];

    /// <summary>The node that runs the async projections and the integration-event subscription (exactly one does).</summary>
    private async Task<int> Leader()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var running = new[] { await RunningOn(fixture.Nodes[0]), await RunningOn(fixture.Nodes[1]) };
            if (running.Count(r => r.Length > 0) == 1)
            {
                var leader = Array.FindIndex(running, r => r.Length > 0);
                running[leader].ShouldBe([Projections.Usage.UsageQueries.Shard, "integration-events:All"]);
                return leader;
            }
            running.Count(r => r.Length > 0).ShouldBeLessThan(2, "two nodes ran the same projections at once");
            await Task.Delay(200);
        }
        throw new ShouldAssertException("no node took the lead within 60 s");
    }

    /// <summary>
    /// Requests and ships a loan through the preferred node, falling over to the other one when it cannot be reached (as a
    /// load balancer would); the commands are idempotent by loan id, so a retry after a lost answer records nothing twice.
    /// </summary>
    private async Task<bool> Ship(string id, int preferred)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; clock.Elapsed < TimeSpan.FromSeconds(120); attempt++)
        {
            var node = fixture.Nodes[(preferred + attempt) % 2];
            try
            {
                var finance = node.As(Roles.FinanceOfficer, TestAlliance.Code);
                var requested = await finance.Post($"{A}/loans", new { loanId = id, borrower = "XZMU", lender = "NJU", title = "t", at = "2026-10-12T08:30:00+08:00" });
                if (!requested.IsSuccessStatusCode)
                {
                    requested.StatusCode.ShouldBeOneOf(HttpStatusCode.ServiceUnavailable, HttpStatusCode.InternalServerError);
                    continue;
                }
                var shipped = await finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-10-13T08:30:00+08:00" });
                if (shipped.IsSuccessStatusCode) return true;
                shipped.StatusCode.ShouldBe(HttpStatusCode.Conflict, await shipped.Content.ReadAsStringAsync()); // shipped before the answer was lost
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    [Fact]
    public async Task when_the_leading_node_is_killed_the_other_takes_over_and_nothing_is_lost_or_counted_twice()
    {
        await fixture.EnsureRunning();
        var leader = await Leader();
        var survivor = 1 - leader;
        output.WriteLine($"node-{leader} leads");

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task Write(int node)
        {
            for (var i = 1; i <= 40; i++)
                if (await Ship($"N{node}-{i}", node)) acknowledged.Add($"N{node}-{i}");
        }
        var writers = new[] { Task.Run(() => Write(0)), Task.Run(() => Write(1)) };
        var clock = Stopwatch.StartNew();
        while (acknowledged.Count < 20 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        var killedAt = Stopwatch.StartNew();
        await fixture.Nodes[leader].Kill(); // kill -9 while both nodes take commands and the leader publishes
        await Task.WhenAll(writers);
        acknowledged.Count.ShouldBe(80);

        // The survivor takes the lead (it polls for the daemon's lock every 2 s).
        var newLeader = await Leader();
        newLeader.ShouldBe(survivor);
        output.WriteLine($"node-{survivor} leads {killedAt.ElapsedMilliseconds} ms after the kill (writes went on meanwhile)");

        // No acknowledged command lost; no shipment recorded twice.
        var finance = fixture.Nodes[survivor].As(Roles.FinanceOfficer, TestAlliance.Code);
        foreach (var id in acknowledged)
            (await (await finance.GetAsync($"{A}/loans/{id}")).Json()).GetProperty("status").GetString().ShouldBe("shipped", id);
        (await Scalar("select count(*) from {0}.mt_events where type = 'v1.loan_shipped'")).ShouldBe(80);
        (await Scalar("select count(*) from (select stream_id from {0}.mt_events where type = 'v1.loan_shipped' group by stream_id having count(*) > 1) twice")).ShouldBe(0);
        // Every posting once: one per account and event, and the whole ledger nets to zero.
        (await Scalar("select count(*) from (select account, sequence from {0}.mt_doc_posting group by account, sequence having count(*) > 1) twice")).ShouldBe(0);
        (await Scalar("select coalesce(sum(amount_fen), 0) from {0}.mt_doc_posting")).ShouldBe(0);

        // Projections catch up on the survivor.
        clock.Restart();
        while ((await Ready(fixture.Nodes[survivor]))?.GetProperty("checks").GetProperty("projections").GetProperty("description").GetString() != "projections are 0 events behind")
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(60), "the survivor's projections did not catch up");
            await Task.Delay(200);
        }

        // Integration events go on: every shipment arrives (by message id; the batch in flight at the kill may come twice).
        var shipments = await Db.EventIds(Connection, MultiNodeFixture.Schema, "v1.loan_shipped");
        await fixture.Subscriber.WaitFor(shipments, TimeSpan.FromSeconds(120));
        fixture.Subscriber.Deliveries.Count.ShouldBeGreaterThanOrEqualTo(fixture.Subscriber.Received.Count);
        // Each carries the correlation id stored with its event: the trace id of the HTTP request that shipped the loan.
        var correlations = await Rows("select id, correlation_id from {0}.mt_events where type = 'v1.loan_shipped'");
        correlations.Count.ShouldBe(80);
        foreach (var row in correlations)
        {
            var (id, correlation) = (Guid.Parse(row.Split(' ')[0]), row.Split(' ')[1]);
            correlation.Length.ShouldBe(32);
            fixture.Subscriber.Correlations[id].ShouldBe(correlation);
        }
        output.WriteLine($"{shipments.Count} shipments published; {fixture.Subscriber.Deliveries.Count} deliveries of {fixture.Subscriber.Received.Count} distinct messages");

        // And what the survivor's projections hold equals a full rebuild from the events.
        var usage = await Rows("select id, data::text from {0}.mt_doc_usagemonth_2 order by id");
        var postings = await Rows("select id, data::text from {0}.mt_doc_posting order by id");
        usage.Count.ShouldBeGreaterThan(0);
        await fixture.Nodes[survivor].Kill();
        var rebuild = await fixture.Nodes[survivor].RunVerb("rebuild");
        rebuild.ExitCode.ShouldBe(0, rebuild.Output);
        (await Rows("select id, data::text from {0}.mt_doc_usagemonth_2 order by id")).ShouldBe(usage);
        (await Rows("select id, data::text from {0}.mt_doc_posting order by id")).ShouldBe(postings);
        await fixture.EnsureRunning();
    }

    [Fact]
    public async Task with_the_broker_away_readiness_says_degraded_and_the_node_keeps_taking_commands_then_ok_when_it_is_back()
    {
        await fixture.EnsureRunning();
        var node = fixture.Nodes[0];
        using var probe = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(10) };
        async Task<(HttpStatusCode Status, string Bus)> Readiness()
        {
            var response = await probe.GetAsync("/health/ready");
            var body = await response.Json();
            return (response.StatusCode, body.GetProperty("checks").GetProperty("masstransit-bus").GetProperty("status").GetString()!);
        }
        async Task Until(HttpStatusCode status, string bus)
        {
            var clock = Stopwatch.StartNew();
            while (await Readiness() != (status, bus))
            {
                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(120), $"readiness never became {status} with the bus {bus}");
                await Task.Delay(250);
            }
            output.WriteLine($"readiness {(int)status} (bus {bus}) after {clock.ElapsedMilliseconds} ms");
        }

        await Until(HttpStatusCode.OK, "ok");
        await Broker.Run("stop_app");
        try
        {
            // Degraded, not unavailable: every node would leave the balancer at once for an outage that only delays
            // integration events, while the ledger itself works.
            await Until(HttpStatusCode.OK, "degraded");
            (await probe.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
            // The event store is the source of truth: commands go on.
            (await node.As(Roles.FinanceOfficer, TestAlliance.Code).Post($"{A}/deliveries",
                new { deliveryId = "BROKER-AWAY", requester = "XZMU", supplier = "SEU", title = "t", at = "2026-10-12T08:30:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        }
        finally
        {
            await Broker.Run("start_app");
            await Broker.Run("await_startup");
        }
        await Until(HttpStatusCode.OK, "ok");
    }

    [Fact]
    public async Task two_nodes_appending_to_one_stream_at_once_one_wins_the_other_gets_the_conflict_answer_and_a_retry_succeeds()
    {
        await fixture.EnsureRunning();
        var nodes = fixture.Nodes.Select(n => n.As(Roles.Operator, TestAlliance.Code)).ToArray();
        var version = long.Parse((await nodes[0].GetAsync(A)).Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
        object Member(string code) => new { code, name = $"{code} Library", fte = 1000, regionGroup = "south", role = "member", joinedOn = "2026-02-01" };
        Task<HttpResponseMessage> Admit(int node, string code, long? expected)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"{A}/members") { Content = JsonContent.Create(Member(code)) };
            if (expected is { } v) request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue($"\"{v}\""));
            return nodes[node].SendAsync(request);
        }

        // Both read the alliance at the same version and append at once: one wins, the other is told its read is stale.
        var answers = await Task.WhenAll(Admit(0, "CC1", version), Admit(1, "CC2", version));
        answers.Count(a => a.IsSuccessStatusCode).ShouldBe(1);
        var loser = Array.FindIndex(answers, a => !a.IsSuccessStatusCode);
        var refusal = await answers[loser].Json();
        answers[loser].StatusCode.ShouldBeOneOf(HttpStatusCode.PreconditionFailed, HttpStatusCode.Conflict);
        refusal.GetProperty("code").GetString().ShouldBeOneOf("version_must_match", "stream_changed_concurrently");
        // The client reads again and retries: it succeeds.
        var now = long.Parse((await nodes[loser].GetAsync(A)).Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
        now.ShouldBe(version + 1);
        (await Admit(loser, loser == 0 ? "CC1" : "CC2", now)).IsSuccessStatusCode.ShouldBeTrue();

        // Without If-Match, twenty admissions race through both nodes: each either lands or gets 409 stream_changed_concurrently
        // (nothing recorded), and retrying the refused ones lands every one exactly once.
        var pending = Enumerable.Range(1, 20).Select(i => $"R{i:00}").ToList();
        var conflicts = 0;
        for (var round = 0; pending.Count > 0; round++)
        {
            round.ShouldBeLessThan(50);
            var results = await Task.WhenAll(pending.Select((code, i) => Admit(i % 2, code, null)));
            var refused = new List<string>();
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].IsSuccessStatusCode) continue;
                results[i].StatusCode.ShouldBe(HttpStatusCode.Conflict);
                (await results[i].Json()).GetProperty("code").GetString().ShouldBe("stream_changed_concurrently");
                refused.Add(pending[i]);
            }
            conflicts += refused.Count;
            pending = refused;
        }
        output.WriteLine($"{conflicts} conflicts answered 409 and retried");
        var alliance = await (await nodes[1].GetAsync(A)).Json();
        var members = alliance.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("code").GetString()).ToList();
        members.Count(m => m!.StartsWith('R')).ShouldBe(20);
        members.Distinct().Count().ShouldBe(members.Count);
        (await Scalar($"select count(*) from {{0}}.mt_events where stream_id = 'alliance' and tenant_id = 'TST' and type = 'v1.member_admitted' and data->>'Code' like 'R%'")).ShouldBe(20);
    }
}
