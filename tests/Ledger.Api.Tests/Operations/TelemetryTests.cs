using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;
using Npgsql;

namespace Ledger.Api.Tests.Operations;

/// <summary>
/// The API as its own process exporting by OTLP (http/protobuf) to a receiver in the test: the ledger's command
/// metrics by command and outcome, its spans, the request's trace id carried from the caller's traceparent into the
/// stored events' correlation id, and logs.
/// </summary>
public class TelemetryTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schema = "t_telemetrytests";
    private readonly OtlpReceiver receiver = new();
    private ApiProcess api = null!;

    public async Task InitializeAsync()
    {
        receiver.Start();
        await ApiProcess.DropSchema(LedgerApp<TelemetryTests>.ConnectionString, Schema);
        api = new ApiProcess(LedgerApp<TelemetryTests>.ConnectionString, Schema, LedgerApp<TelemetryTests>.SigningKey, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["Logging__LogLevel__Default"] = "Information",
        });
        await api.Start();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        receiver.Dispose();
    }

    [Fact]
    public async Task commands_are_counted_by_name_and_outcome_traced_and_their_trace_id_is_stored_with_their_events()
    {
        await TestAlliance.Alliance(api.As(Roles.Operator, TestAlliance.Code), api.As(Roles.FinanceOfficer, TestAlliance.Code));
        var finance = api.As(Roles.FinanceOfficer, TestAlliance.Code);
        var loan = new { loanId = "T-1", borrower = "XZMU", lender = "NJU", title = "t", at = "2026-10-12T08:30:00+08:00" };

        // Recorded, in the caller's trace.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var traced = new HttpRequestMessage(HttpMethod.Post, $"{TestAlliance.A}/loans") { Content = JsonContent.Create(loan) };
        traced.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await finance.SendAsync(traced)).StatusCode.ShouldBe(HttpStatusCode.Created);
        // Unchanged (the same request again), stale (an old If-Match), rejected (received before it was shipped).
        (await finance.Post($"{TestAlliance.A}/loans", loan)).IsSuccessStatusCode.ShouldBeTrue();
        var stale = new HttpRequestMessage(HttpMethod.Post, $"{TestAlliance.A}/loans/T-1/shipped") { Content = JsonContent.Create(new { at = "2026-10-13T08:30:00+08:00" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        (await finance.SendAsync(stale)).StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await finance.Post($"{TestAlliance.A}/loans/T-1/received", new { at = "2026-10-14T08:30:00+08:00" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await finance.Post($"{TestAlliance.A}/loans/T-1/shipped", new { at = "2026-10-13T08:30:00+08:00" })).IsSuccessStatusCode.ShouldBeTrue();

        // The event carries the caller's trace id, and the API's event read shows it.
        await using (var connection = new NpgsqlConnection(LedgerApp<TelemetryTests>.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select correlation_id, seq_id from {Schema}.mt_events where stream_id = 'loan:T-1' and version = 1", connection);
            await using var reader = await command.ExecuteReaderAsync();
            (await reader.ReadAsync()).ShouldBeTrue();
            reader.GetString(0).ShouldBe(traceId);
            var e = await (await finance.GetAsync($"{TestAlliance.A}/events/{reader.GetInt64(1)}")).Json();
            e.GetProperty("correlationId").GetString().ShouldBe(traceId);
        }

        // Metrics (cumulative): exactly these outcomes for the loan commands.
        var expected = new Dictionary<(string, string), long>
        {
            [("RequestLoan", "recorded")] = 1,
            [("RequestLoan", "unchanged")] = 1,
            [("ShipLoan", "stale")] = 1,
            [("ReceiveLoan", "rejected")] = 1,
            [("ShipLoan", "recorded")] = 1,
        };
        var clock = Stopwatch.StartNew();
        Dictionary<(string, string), long> counted = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            counted = receiver.Counters("ledger.commands", "command", "outcome");
            if (expected.All(e => counted.GetValueOrDefault(e.Key) == e.Value)) break;
            await Task.Delay(200);
        }
        output.WriteLine(string.Join("\n", counted.Select(c => $"{c.Key.Item1} {c.Key.Item2}: {c.Value}")));
        foreach (var (key, value) in expected) counted.GetValueOrDefault(key).ShouldBe(value, $"{key}");
        counted[("AdmitMember", "recorded")].ShouldBe(3);
        receiver.Counters("ledger.events.appended", "event_type", "event_type")[("LoanShipped", "LoanShipped")].ShouldBe(1);
        // The shipment's integration event is published (counted as a send to its exchange) by the daemon a moment later.
        clock.Restart();
        while (!receiver.MetricNames().Any(n => n.StartsWith("messaging.masstransit.send", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(200);
        var metricNames = receiver.MetricNames();
        metricNames.ShouldContain("ledger.command.duration");
        metricNames.ShouldContain("ledger.projection.lag");
        metricNames.ShouldContain("ledger.audit.intact");
        metricNames.ShouldContain("http.server.request.duration");
        metricNames.ShouldContain("messaging.masstransit.send");
        output.WriteLine(string.Join(", ", metricNames.Order()));

        // Traces: the request's span and the command's span under the caller's trace id; logs arrive too.
        clock.Restart();
        while (!receiver.Contains("/v1/traces", Convert.FromHexString(traceId)) && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(200);
        receiver.Contains("/v1/traces", Convert.FromHexString(traceId)).ShouldBeTrue("no span with the caller's trace id was exported");
        receiver.Contains("/v1/traces", Encoding.UTF8.GetBytes("ledger.command")).ShouldBeTrue();
        receiver.Received("/v1/logs").ShouldBeGreaterThan(0);
    }
}

/// <summary>
/// An OTLP/HTTP receiver (protobuf bodies kept by path) with just enough protobuf reading to sum the counters it got.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> bodies = new();
    private readonly CancellationTokenSource stop = new();

    public string Address { get; } = $"http://127.0.0.1:{FreePort()}";

    public void Start()
    {
        listener.Prefixes.Add(Address + "/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                using var memory = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(memory);
                bodies.Enqueue((context.Request.Url!.AbsolutePath, memory.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        });
    }

    public int Received(string path) => bodies.Count(b => b.Path == path);

    public bool Contains(string path, byte[] bytes) => bodies.Any(b => b.Path == path && b.Body.AsSpan().IndexOf(bytes) >= 0);

    /// <summary>Every metric name exported so far.</summary>
    public HashSet<string> MetricNames() =>
        Metrics().Select(m => Text(Fields(m).First(f => f.Number == 1).Bytes)).ToHashSet();

    /// <summary>
    /// The latest value of each data point of a cumulative sum, keyed by two of its attributes (the last export wins:
    /// cumulative temporality repeats the running total every time).
    /// </summary>
    public Dictionary<(string, string), long> Counters(string metric, string first, string second)
    {
        var totals = new Dictionary<(string, string), long>();
        foreach (var m in Metrics())
        {
            var fields = Fields(m);
            if (Text(fields.First(f => f.Number == 1).Bytes) != metric) continue;
            foreach (var sum in fields.Where(f => f.Number == 7)) // Metric.sum
                foreach (var point in Fields(sum.Bytes).Where(f => f.Number == 1)) // Sum.data_points
                {
                    var p = Fields(point.Bytes);
                    var attributes = p.Where(f => f.Number == 7).Select(a => Fields(a.Bytes))
                        .ToDictionary(a => Text(a.First(f => f.Number == 1).Bytes), a => Text(Fields(a.First(f => f.Number == 2).Bytes).First(f => f.Number == 1).Bytes));
                    var value = p.FirstOrDefault(f => f.Number == 6).Value; // NumberDataPoint.as_int (sfixed64)
                    totals[(attributes.GetValueOrDefault(first, ""), attributes.GetValueOrDefault(second, ""))] = value;
                }
        }
        return totals;
    }

    // ExportMetricsServiceRequest.resource_metrics(1) → ResourceMetrics.scope_metrics(2) → ScopeMetrics.metrics(2)
    private IEnumerable<byte[]> Metrics() =>
        bodies.Where(b => b.Path == "/v1/metrics").ToList()
            .SelectMany(b => Fields(b.Body).Where(f => f.Number == 1))
            .SelectMany(rm => Fields(rm.Bytes).Where(f => f.Number == 2))
            .SelectMany(sm => Fields(sm.Bytes).Where(f => f.Number == 2))
            .Select(m => m.Bytes);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The fields of one protobuf message: number, and bytes (length-delimited) or value (varint, fixed64).</summary>
    private static List<(int Number, byte[] Bytes, long Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[], long)>();
        var i = 0;
        while (i < message.Length)
        {
            var key = Varint(message, ref i);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add((number, [], (long)Varint(message, ref i)));
                    break;
                case 1:
                    fields.Add((number, [], BitConverter.ToInt64(message, i)));
                    i += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref i);
                    fields.Add((number, message[i..(i + length)], 0));
                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
