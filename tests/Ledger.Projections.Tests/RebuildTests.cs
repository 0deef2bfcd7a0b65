using JasperFx.Events.Daemon;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Ledger;
using Ledger.Domain.Loans;
using Ledger.Projections.Funding;
using Ledger.Projections.Ledger;
using Ledger.Projections.Usage;
using Marten;
using Npgsql;

namespace Ledger.Projections.Tests;

/// <summary>Projections on real PostgreSQL, in a schema of this class's own.</summary>
public sealed class RebuildTests : IAsyncLifetime
{
    private const string ConnectionString = "Host=127.0.0.1;Port=5432;Database=ledger;Username=ledger;Password=ledger;SSL Mode=Disable";
    private const string Schema = "t_projections_rebuild";
    private const string Tenant = "PRJ";
    private DocumentStore store = null!;

    public async Task InitializeAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection).ExecuteNonQueryAsync();
        }
        store = DocumentStore.For(opts => LedgerStore.Configure(opts, ConnectionString, Schema));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await Record();
    }

    public async Task DisposeAsync() => await store.DisposeAsync();

    private static DateTimeOffset At(string local) => DateTimeOffset.Parse(local + "+08:00");

    /// <summary>Records a month of loans and deliveries through the deciders, appended as real use appends them.</summary>
    private async Task Record()
    {
        Alliance? alliance = null;
        var allianceEvents = new List<IAllianceEvent>();
        void Found(IAllianceCommand c)
        {
            foreach (var e in AllianceDecider.Decide(c, alliance)) { alliance = AllianceDecider.Evolve(alliance, e); allianceEvents.Add(e); }
        }
        Found(new FoundAlliance(Tenant, "P", AllianceKind.Municipal, "r", "D", "CNY", "Asia/Shanghai", At("2026-01-01T00:00:00")));
        foreach (var (m, g) in new[] { ("A", "south"), ("B", "south"), ("C", "north") })
            Found(new AdmitMember(m, m, 100, g, MemberRole.Member, new DateOnly(2026, 1, 1)));
        Found(new SetFeePolicy(new FeePolicy(new DateOnly(2026, 1, 1), 40_00, 2_00, 30, 10_00, 5_00, [new SubsidyRule("north", 5000, 100_00)], "G")));

        await using var session = store.LightweightSession(Tenant);
        session.Events.StartStream(StreamKeys.Alliance, allianceEvents.Cast<object>().ToArray());
        // The grant the policy names has funds (a grant can never be spent below zero: the running total refuses it).
        session.Events.StartStream(StreamKeys.SubProject("G"),
            new global::Ledger.Domain.Funding.SubProjectApproved("G", "P1", "grant", "A", [new global::Ledger.Domain.Funding.BudgetLine("subsidy", 1_000_000_00)],
                At("2026-01-02T09:00:00")),
            new global::Ledger.Domain.Funding.FundsAllocated("G", "G-2026", 2026, 1_000_000_00, "D", new DateOnly(2026, 1, 5)));
        var random = new Random(42);
        string[] members = ["A", "B", "C"];
        for (var n = 0; n < 60; n++)
        {
            var b = members[random.Next(3)];
            var l = members.First(m => m != b);
            var t = At("2026-10-01T09:00:00").AddHours(n * 7);
            if (n % 2 == 0)
            {
                Loan? s = null;
                var events = new List<object>();
                foreach (var c in new ILoanCommand[] { new RequestLoan($"L{n}", b, l, "t", null, t), new ShipLoan(null, t.AddHours(n % 5 + 1)),
                             new RefundLoanCharge("R", ChargeKind.Fee, random.NextInt64(1, 40_00), "x", t.AddHours(10)) })
                    foreach (var e in LoanDecider.Decide($"L{n}", c, s, alliance!)) { s = LoanDecider.Evolve(s, e); events.Add(e); }
                session.Events.StartStream(StreamKeys.Loan($"L{n}"), events.ToArray());
            }
            else
            {
                Delivery? s = null;
                var events = new List<object>();
                foreach (var c in new IDeliveryCommand[] { new RequestDelivery($"D{n}", b, l, "t", n % 3 == 0, null, t), new FulfilDelivery(n, null, t.AddHours(2)) })
                    foreach (var e in DeliveryDecider.Decide($"D{n}", c, s, alliance!)) { s = DeliveryDecider.Evolve(s, e); events.Add(e); }
                session.Events.StartStream(StreamKeys.Delivery($"D{n}"), events.ToArray());
            }
        }
        await session.SaveChangesAsync();
    }

    private async Task<(IReadOnlyList<(string, long)> Balances, long OctoberA, List<string> Usage)> Answers()
    {
        await using var q = store.QuerySession(Tenant);
        var balances = await LedgerQueries.AccountBalances(q, null, CancellationToken.None);
        var october = (await LedgerQueries.KnownBalance(q, Account.Member("A"), null, new DateOnly(2026, 10, 15), LedgerQueries.Everything, DateTimeOffset.UtcNow,
            CancellationToken.None)).KnownFen;
        var usage = (await q.Query<UsageMonth>().ToListAsync())
            .Select(u => System.Text.Json.JsonSerializer.Serialize(u)).Order(StringComparer.Ordinal).ToList();
        return (balances, october, usage);
    }

    [Fact]
    public async Task inline_postings_sum_to_zero_and_an_as_of_balance_leaves_out_later_dates()
    {
        var (balances, octoberA, _) = await Answers();
        balances.Count.ShouldBe(5); // three members, the grant and the department that funded it
        balances.Sum(b => b.Item2).ShouldBe(0);
        var nowA = balances.Single(b => b.Item1 == "member:A").Item2;
        octoberA.ShouldNotBe(nowA);
    }

    /// <summary>Every inline projection's rows, column by column (apart from write times and random versions), in key order.</summary>
    private async Task<List<string>> InlineRows()
    {
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // The running totals too: kept row by row by the live commands, recomputed from the documents by the rebuild.
        var bulk = new Bulk.BulkLedgerWriter(store);
        foreach (var name in bulk.DocumentTypes.Select(bulk.TableName)
                     .Append(AccountDays.TableName).Append(FundingDays.TableName).Append(GrantFunds.TableName))
        {
            var table = $"{Schema}.{name}";
            await using var command = new NpgsqlCommand(
                $"select (to_jsonb(t) - 'mt_last_modified' - case when to_jsonb(t) ->> 'mt_version' like '%-%' then 'mt_version' else '' end)::text " +
                $"from {table} t order by 1", connection);
            await using var reader = await command.ExecuteReaderAsync();
            // A live document carries the event's timestamp as .NET had it (100 ns); one rebuilt from the stored event
            // has PostgreSQL's (1 µs), as any replay does.
            while (await reader.ReadAsync())
                rows.Add($"{name} {System.Text.RegularExpressions.Regex.Replace(reader.GetString(0), @"(?<=T\d\d:\d\d:\d\d)\.\d+",
                    m => (m.Value + "000000")[..7])}");
        }
        return rows;
    }

    [Fact]
    public async Task the_bulk_rebuild_writes_exactly_the_rows_the_inline_projections_wrote()
    {
        // The usage months as Marten's daemon builds them (the async projection), beside the inline rows.
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync<UsageProjection>(CancellationToken.None);
        var live = await InlineRows();
        live.Count(r => r.StartsWith("mt_doc_posting ", StringComparison.Ordinal)).ShouldBeGreaterThan(60);
        foreach (var table in new[] { "mt_doc_fundingentry", "mt_doc_loanview", "mt_doc_allianceview", "mt_doc_usagemonth_2", AccountDays.TableName,
                     FundingDays.TableName, GrantFunds.TableName })
            live.ShouldContain(r => r.StartsWith(table + " ", StringComparison.Ordinal));
        await using (var q = store.QuerySession(Tenant))
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            // Wipe a table first, so the comparison proves the rebuild wrote it.
            await connection.OpenAsync();
            await new NpgsqlCommand($"delete from {Schema}.mt_doc_posting; delete from {Schema}.{AccountDays.TableName}; " +
                                    $"delete from {Schema}.{FundingDays.TableName}; delete from {Schema}.mt_doc_usagemonth_2; " +
                                    $"delete from {Schema}.mt_event_progression where name = '{UsageQueries.Shard}'", connection).ExecuteNonQueryAsync();
            (await InlineRows()).Count.ShouldBeLessThan(live.Count);
        }
        var available = await AvailableG();
        // An append that fails after taking its sequence numbers (a grant race decided again, a lost connection) leaves
        // Marten's tombstone under them, in the shape Marten writes it; a rebuild passes over it, as it is no event of the ledger.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"insert into {Schema}.mt_streams (id, tenant_id, version) values ('mt_tombstone', '{Tenant}', 0) on conflict do nothing; " +
                                    $"insert into {Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id) " +
                                    $"select s, gen_random_uuid(), 'mt_tombstone', s, '{{}}', 'tombstone', '-infinity', '{Tenant}' " +
                                    $"from nextval('{Schema}.mt_events_sequence') s", connection).ExecuteNonQueryAsync();
        }

        await LedgerStore.RebuildAll(store, null, CancellationToken.None);

        var rebuilt = await InlineRows();
        rebuilt.Count.ShouldBe(live.Count);
        for (var i = 0; i < live.Count; i++) rebuilt[i].ShouldBe(live[i]);
        (await AvailableG()).ShouldBe(available);

        // The daemon goes on from where the rebuild left the usage months: nothing counted twice, a new event once.
        using var running = await store.BuildProjectionDaemonAsync();
        await running.StartAllAsync();
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(store, TimeSpan.FromSeconds(30));
        (await InlineRows()).ShouldBe(rebuilt);
        var before = await RequestsMade("A");
        await using (var session = store.LightweightSession(Tenant))
        {
            session.Events.StartStream(StreamKeys.Delivery("AFTER-REBUILD"),
                new DeliveryRequested("AFTER-REBUILD", "A", "B", "t", false, null, At("2026-10-20T09:00:00"), new DateOnly(2026, 10, 20)));
            await session.SaveChangesAsync();
        }
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(store, TimeSpan.FromSeconds(30));
        (await RequestsMade("A")).ShouldBe(before + 1);
        await running.StopAllAsync();
    }

    private async Task<int> RequestsMade(string member)
    {
        await using var q = store.QuerySession(Tenant);
        return (await q.LoadAsync<UsageMonth>(UsageMonth.Key(member, new DateOnly(2026, 10, 1), UsageProjection.Copy)))!.RequestsMade;
    }

    private async Task<long> AvailableG()
    {
        await using var q = store.QuerySession(Tenant);
        return await FundingQueries.AvailableFen(q, "G", CancellationToken.None);
    }

    [Fact]
    public async Task a_rebuild_of_every_projection_gives_the_same_answers_as_the_live_projections()
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<UsageProjection>(CancellationToken.None);
        var live = await Answers();
        live.Usage.Count.ShouldBeGreaterThan(4);

        // Wipe the read models first, so the comparison proves the rebuild wrote them.
        await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(Posting));
        await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(UsageMonth));
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"delete from {Schema}.{AccountDays.TableName}", connection).ExecuteNonQueryAsync();
        }
        (await Answers()).Balances.ShouldBeEmpty();
        await daemon.RebuildProjectionAsync<PostingProjection>(CancellationToken.None);
        await AccountDays.Sums.Recompute(store, CancellationToken.None); // the daemon's replay added every posting to its day again
        await daemon.RebuildProjectionAsync<UsageProjection>(CancellationToken.None);
        var rebuilt = await Answers();

        rebuilt.Balances.ShouldBe(live.Balances);
        rebuilt.OctoberA.ShouldBe(live.OctoberA);
        rebuilt.Usage.ShouldBe(live.Usage);

        // The grant's running total: replaying the funding entries adds every movement again, so a rebuild of them is
        // followed by a recompute from the entries, which gives back the figure the live commands left.
        await using var q = store.QuerySession(Tenant);
        var available = await FundingQueries.AvailableFen(q, "G", CancellationToken.None);
        available.ShouldBe(await FundingQueries.SumOfEntriesFen(q, "G", CancellationToken.None));
        available.ShouldBeLessThan(1_000_000_00);
        await store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(FundingEntry));
        await daemon.RebuildProjectionAsync<FundingEntryProjection>(CancellationToken.None);
        await LedgerStore.RecomputeTotals(store, CancellationToken.None);
        (await FundingQueries.AvailableFen(q, "G", CancellationToken.None)).ShouldBe(available);
    }
}
