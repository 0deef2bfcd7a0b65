using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Hosting;
using Ledger.Projections.Audit;
using Xunit.Abstractions;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// The chain under the load an alliance puts on it, with everything that goes wrong in practice: eight writers
/// recording loans and payments, shipments racing for a grant that runs out (decided again on conflict), the same step
/// sent twice at once (one loses the stream race), every database connection of the API cut mid-load, and the API
/// killed with SIGKILL mid-load and started again; the chain writer extends the chain every 20 ms throughout. At the
/// end every stored business event is chained exactly once and verification is intact.
/// </summary>
public sealed class AuditChainStressTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schema = "t_auditchainstresstests";
    private const string A = TestAlliance.A;
    private const string Node = "audit-stress";
    private static readonly string Connection = LedgerApp.ConnectionString;
    private ApiProcess api = null!;
    private readonly Dictionary<int, int> statuses = [];
    private int failures;

    private ApiProcess NewApi() => new(Connection, Schema, LedgerApp.SigningKey, new Dictionary<string, string>
    {
        ["RabbitMq__Host"] = "",
        ["Ledger__Node"] = Node,
        ["Ledger__Audit__IntervalMilliseconds"] = "20",
    });

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(Connection, Schema);
        api = NewApi();
        await api.Start();
        var finance = api.As(Roles.FinanceOfficer, TestAlliance.Code);
        await TestAlliance.Alliance(api.As(Roles.Operator, TestAlliance.Code), finance);
        // From July the subsidies come from a small grant: 250.00 pays ten northern loans (20 subsidy + 5 reward each).
        (await finance.Post($"{A}/subprojects", new { code = "SMALL", projectCode = "JALIS-IV", title = "Small grant", undertakingMember = "NJU", budget = new[] { new { line = "subsidy", amount = 1_000m } } }))
            .EnsureSuccessStatusCode();
        (await finance.Post($"{A}/subprojects/SMALL/allocations", new { allocationId = "S-A", fiscalYear = 2026, amount = 250m, allocatedOn = "2026-06-01" })).EnsureSuccessStatusCode();
        await TestAlliance.FeePolicy(api.As(Roles.Operator, TestAlliance.Code), "2026-07-01", "SMALL");
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    private void Count(HttpResponseMessage? response)
    {
        lock (statuses)
        {
            if (response is null) failures++;
            else statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
        }
    }

    private async Task Send(Func<Task<HttpResponseMessage>> request)
    {
        try
        {
            Count(await request());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Count(null); // the process was killed, or its connection cut, under this request
        }
    }

    /// <summary>Eight writers until the time is up (or the process is gone).</summary>
    private async Task Load(string phase, TimeSpan length)
    {
        var finance = api.As(Roles.FinanceOfficer, TestAlliance.Code);
        var until = DateTime.UtcNow + length;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
        {
            for (var n = 0; DateTime.UtcNow < until; n++)
            {
                var id = $"{phase}-{w}-{n}";
                await Send(() => finance.Post($"{A}/loans", new { loanId = id, borrower = w % 2 == 0 ? "XZMU" : "SEU", lender = "NJU", title = "t", at = "2026-07-02T09:00:00+08:00" }));
                if (n % 4 == 0)
                    await Task.WhenAll(Send(() => finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-07-03T09:00:00+08:00" })),
                        Send(() => finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-07-03T09:00:00+08:00" })));
                else await Send(() => finance.Post($"{A}/loans/{id}/shipped", new { at = "2026-07-03T09:00:00+08:00" }));
                await Send(() => finance.Post($"{A}/payments", new { paymentId = $"P-{id}", member = "SEU", direction = "member-to-centre", amount = 1m, paidOn = "2026-07-04", bankReference = "B" }));
            }
        }));
    }

    [Fact]
    public async Task every_committed_event_is_chained_exactly_once_through_races_a_cut_connection_and_a_kill()
    {
        var cut = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ =>
            Db.Scalar(Connection, $"select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name like '%{Node}%'")).Unwrap();
        await Load("a", TimeSpan.FromSeconds(6));
        (await cut).ShouldBeGreaterThan(0);

        var kill = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => api.Kill()).Unwrap();
        await Load("b", TimeSpan.FromSeconds(4));
        await kill;
        api = NewApi();
        await api.Start();
        await Load("c", TimeSpan.FromSeconds(3));

        var business = $"from {Schema}.mt_events e where {AuditChain.BusinessEventFilter}";
        var stored = await Db.Scalar(Connection, $"select count(*) {business}");
        var last = await Db.Scalar(Connection, $"select max(seq_id) {business}");
        var auditor = api.As(Roles.Auditor, TestAlliance.Code, department: TestAlliance.Department);
        for (var wait = 0; wait < 300 && (await (await auditor.GetAsync("/api/audit/digest")).Json()).GetProperty("sequence").GetInt64() < last; wait++)
            await Task.Delay(100);
        var verification = await (await auditor.GetAsync("/api/audit/verification")).Json();
        var chained = await Db.Scalar(Connection, $"select count(*) from {Schema}.{AuditChain.TableName}");
        var tombstones = await Db.Scalar(Connection, $"select count(*) from {Schema}.mt_events e where {AuditChain.TombstoneFilter}");
        var withheld = await Db.Scalar(Connection, $"select count(*) from {Schema}.mt_events where type = 'v1.loan_grant_withheld'");
        output.WriteLine($"{stored} business events, {chained} chained, {tombstones} tombstones, {withheld} subsidies withheld; " +
                         $"answers {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}, {failures} cut off");

        verification.GetProperty("intact").GetBoolean().ShouldBeTrue(verification.GetRawText());
        chained.ShouldBe(stored);
        verification.GetProperty("events").GetInt64().ShouldBe(stored);
        withheld.ShouldBeGreaterThan(0); // the grant ran out while shipments raced for it
        statuses.GetValueOrDefault(201).ShouldBeGreaterThan(100); // the load was real (how much depends on the machine)
        // (A request under the cut connection answers 500 today: that is the input-and-errors work, not the chain's.)
    }
}
