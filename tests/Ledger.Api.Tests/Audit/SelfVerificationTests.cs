using System.Net;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Projections.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Audit;

/// <summary>A host that verifies often: new links every 100 ms, the whole chain every second.</summary>
public sealed class SelfVerifyingApp : LedgerApp<SelfVerificationTests>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Ledger:Audit:IntervalMilliseconds", "100");
        builder.UseSetting("Ledger:Audit:FullVerificationMinutes", "0.0166");
    }
}

/// <summary>
/// Verification runs by itself on the node: an event altered in the database is found without anyone asking, shows in
/// readiness (degraded, naming the sequence) and in the audit status the console shows, and the ledger reads as intact
/// again once the change is undone. (The ledger.audit.intact gauge is checked where metrics are exported: TelemetryTests.)
/// </summary>
public class SelfVerificationTests(SelfVerifyingApp app) : IClassFixture<SelfVerifyingApp>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    public async Task InitializeAsync()
    {
        await TestAlliance.Ensure(app);
        (await app.As(Roles.FinanceOfficer).Post($"{A}/payments", new { paymentId = "SV-1", member = "NJU", direction = "member-to-centre", amount = 5m, paidOn = "2026-10-20", bankReference = "B" }))
            .EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(JsonElement Ready, JsonElement Status)> Until(Func<JsonElement, bool> audit)
    {
        var auditor = app.As(Roles.Auditor);
        for (var i = 0; ; i++)
        {
            var ready = await (await app.CreateClient().GetAsync("/health/ready")).Json();
            var status = (await (await auditor.GetAsync("/api/audit/status")).Json()).EnumerateArray().Single();
            if (audit(status) || i == 150) return (ready, status);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task an_event_altered_in_the_database_is_found_by_the_node_itself_and_reported_until_it_is_undone()
    {
        var head = await app.Services.GetRequiredService<AuditChains>().For(TestAlliance.Code).CatchUp(CancellationToken.None);
        var (ready, status) = await Until(s => s.GetProperty("intact").GetBoolean() && s.GetProperty("verifiedUpTo").GetInt64() >= head.Sequence);
        status.GetProperty("intact").GetBoolean().ShouldBeTrue(status.GetRawText());
        ready.GetProperty("checks").GetProperty("audit").GetProperty("status").GetString().ShouldBe("ok");

        var events = $"{LedgerApp<SelfVerificationTests>.Schema}.mt_events";
        var target = await Db.Scalar(LedgerApp.ConnectionString, $"select min(seq_id) from {events} where type = 'v1.payment_recorded'");
        await Db.Execute(LedgerApp.ConnectionString, $"update {events} set data = jsonb_set(data, '{{AmountFen}}', '50000') where seq_id = {target}");
        try
        {
            (ready, status) = await Until(s => !s.GetProperty("intact").GetBoolean());
            status.GetProperty("intact").GetBoolean().ShouldBeFalse();
            status.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(target);
            ready.GetProperty("status").GetString().ShouldBe("degraded");
            ready.GetProperty("checks").GetProperty("audit").GetProperty("description").GetString()!.ShouldContain($"sequence {target}");
        }
        finally
        {
            await Db.Execute(LedgerApp.ConnectionString, $"update {events} set data = jsonb_set(data, '{{AmountFen}}', '500') where seq_id = {target}");
        }
        (_, status) = await Until(s => s.GetProperty("intact").GetBoolean());
        status.GetProperty("intact").GetBoolean().ShouldBeTrue(status.GetRawText());
    }
}
