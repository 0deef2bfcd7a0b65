using Ledger.Api.Import;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Api.Tests.Import;

/// <summary>The history import on PostgreSQL: the same rules as live commands, rejects with reasons, a second run records nothing.</summary>
public class HistoryImportTests(LedgerApp<HistoryImportTests> app) : IClassFixture<LedgerApp<HistoryImportTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;

    private const string File = """
        kind,id,borrower,lender,title,requested_at,filled_at,pages,charge,received_at,returned_at,unfilled_at,unfilled_reason
        loan,H-L1,XZMU,NJU,Harrison's,2026-03-04T09:00:00+08:00,2026-03-05T10:00:00+08:00,,,2026-03-07T10:00:00+08:00,2026-03-28T10:00:00+08:00,,
        copy,H-D1,NJU,SEU,Cell 2023,2026-03-06T09:00:00+08:00,2026-03-06T15:00:00+08:00,10,,,,,
        loan,H-L2,SEU,NJU,Rare book,2026-03-08T09:00:00+08:00,,,,,,2026-03-09T09:00:00+08:00,not for loan
        loan,H-L3,NOBODY,NJU,x,2026-03-08T09:00:00+08:00,,,,,,,
        film,H-F1,SEU,NJU,x,2026-03-08T09:00:00+08:00,,,,,,,
        loan,H-L4,SEU,NJU,x,5 March,,,,,,,
        loan,H-L1,XZMU,NJU,Harrison's again,2026-03-04T09:00:00+08:00,,,,,,,
        copy,H-D2,SEU,XZMU,Stated charge,2026-04-01T09:00:00+08:00,2026-04-01T11:00:00+08:00,4,7.50,,,,
        """;

    public Task InitializeAsync() => TestAlliance.Ensure(app);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(ImportResult Result, string Rejects)> Import()
    {
        var rejects = new StringWriter();
        var result = await app.Services.GetRequiredService<HistoryImport>()
            .Run(TestAlliance.Code, new StringReader(File.ReplaceLineEndings("\n")), rejects, batchSize: 3, progress: null, CancellationToken.None);
        return (result, rejects.ToString());
    }

    [Fact]
    public async Task history_goes_through_the_deciders_rejects_are_listed_with_their_reason_and_a_second_run_records_nothing()
    {
        var (first, rejects) = await Import();
        first.Rows.ShouldBe(8);
        first.Imported.ShouldBe(4);
        first.Rejected.ShouldBe(3);
        first.AlreadyThere.ShouldBe(1); // H-L1 twice in the file
        first.Events.ShouldBe(4 + 2 + 2 + 2); // requested, shipped, received, returned; requested, fulfilled; requested, unfilled; requested, fulfilled
        var lines = rejects.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("line,id,reason");
        lines.ShouldContain(l => l.StartsWith("5,\"H-L3\",\"member_must_exist", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("6,\"H-F1\",\"kind must be", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("7,\"H-L4\",\"unreadable row: requested_at must be", StringComparison.Ordinal));

        var finance = app.As(Roles.FinanceOfficer);
        var loan = await (await finance.GetAsync($"{A}/loans/H-L1")).Json();
        loan.GetProperty("status").GetString().ShouldBe("returned");
        loan.GetProperty("charge").Decimal("subsidy").ShouldBe(20m); // the fee policy's subsidy for a northern borrower, from the grant
        (await (await finance.GetAsync($"{A}/deliveries/H-D2")).Json()).GetProperty("charge").Decimal("fee").ShouldBe(7.50m);
        var balances = await (await finance.GetAsync($"{A}/balances")).Json();
        balances.Decimal("total").ShouldBe(0m);
        var statement = await (await app.As(Roles.Member, "XZMU").GetAsync($"{A}/members/XZMU/statement?from=2026-03-01&to=2026-03-31")).Json();
        statement.GetProperty("postings").EnumerateArray().ShouldContain(p => p.GetProperty("stream").GetString() == "loan:H-L1");

        // The imported stream is an ordinary stream: a live command appends to it after its fourth event.
        var refund = await finance.Post($"{A}/loans/H-L1/refunds", new { refundId = "HR1", charge = "fee", amount = 1m, reason = "imported, then refunded" });
        refund.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        refund.Headers.ETag!.Tag.ShouldBe("\"5\"");
        (await (await finance.GetAsync($"{A}/balances")).Json()).Decimal("total").ShouldBe(0m);

        var events = await app.EventCount();
        var (second, _) = await Import();
        second.Imported.ShouldBe(0);
        second.AlreadyThere.ShouldBe(5);
        (await app.EventCount()).ShouldBe(events);

        // Imported events are sealed like a command's, and their projections are exactly what the events give (the
        // timestamps to the microsecond PostgreSQL keeps).
        var verification = await (await app.As(Roles.Auditor).GetAsync("/api/audit/verification?figures=true")).Json();
        verification.GetProperty("intact").GetBoolean().ShouldBeTrue(verification.GetRawText());
    }
}
