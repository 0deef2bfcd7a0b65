using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Ledger.Projections.Alliances;
using Ledger.Projections.Deliveries;
using Ledger.Projections.Funding;
using Ledger.Projections.Ledger;
using Ledger.Projections.Loans;
using Ledger.Projections.Sharing;
using Ledger.Projections.Usage;
using Marten;

namespace Ledger.Projections;

/// <summary>
/// The one Marten configuration, shared by the API host, the command line and the tests. Alliances are tenants
/// (conjoined tenancy keyed by alliance code); streams are keyed by strings the clients choose.
/// </summary>
public static class LedgerStore
{
    /// <summary>Every projection, in the order a full rebuild runs them.</summary>
    public static readonly Type[] Projections =
    [
        typeof(AllianceProjection), typeof(LoanProjection), typeof(DeliveryProjection), typeof(PurchaseProjection), typeof(CostShareProjection),
        typeof(PaymentProjection), typeof(SettlementProjection), typeof(ProjectProjection), typeof(SubProjectProjection),
        typeof(FundingEntryProjection), typeof(PostingProjection), typeof(UsageProjection),
    ];

    /// <summary>
    /// Rebuilds every read model from the events, then the grants' running totals from the rebuilt funding entries.
    /// Every projection is rewritten by the bulk writer in one pass over the events (readers wait for it rather than see
    /// a half-rebuilt table), the async usage statistics too, with the daemon's progress set to the last event folded.
    /// Run it with the API stopped or on a copy: commands recorded meanwhile would be missing from the rebuilt documents.
    /// </summary>
    public static async Task RebuildAll(IDocumentStore store, Action<string, TimeSpan>? rebuilt, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bulk = new Bulk.BulkLedgerWriter(store);
        var databases = await store.Storage.AllDatabases();
        foreach (var database in databases)
        {
            await using var reader = database.CreateConnection();
            await using var postings = database.CreateConnection();
            await using var others = database.CreateConnection();
            await reader.OpenAsync(ct);
            await postings.OpenAsync(ct);
            await others.OpenAsync(ct);
            await using var snapshot = await reader.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using var first = await postings.BeginTransactionAsync(ct);
            await using var second = await others.BeginTransactionAsync(ct);
            await bulk.Rebuild(reader, [postings, others], ct);
            // Two transactions, committed only when both have written everything: an interrupted rebuild leaves the old
            // documents (or, if it stops between the two commits, postings rebuilt and the rest not): run it again.
            await first.CommitAsync(ct);
            await second.CommitAsync(ct);
        }
        rebuilt?.Invoke(databases.Count == 1 ? "projections (bulk)" : $"projections (bulk, {databases.Count} databases)", clock.Elapsed);
        await RecomputeTotals(store, ct);
        rebuilt?.Invoke("running totals", clock.Elapsed);

        // The rewritten tables have no statistics and no visibility map yet: without this, the first balance reads
        // fetch every heap page instead of using the covering index alone.
        foreach (var database in databases)
        {
            await using var vacuum = database.CreateConnection();
            await vacuum.OpenAsync(ct);
            foreach (var type in bulk.DocumentTypes)
            {
                await using var command = new Npgsql.NpgsqlCommand($"vacuum (analyze) {store.Options.DatabaseSchemaName}.{bulk.TableName(type)}", vacuum);
                command.CommandTimeout = 0;
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        rebuilt?.Invoke("vacuum", clock.Elapsed);
    }

    /// <summary>Runs the work once per ledger database (the main one and the alliances' own), in a session of that database.</summary>
    public static async Task InEachDatabase(IDocumentStore store, Func<IDocumentSession, Task> work, CancellationToken ct)
    {
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForDatabase(database));
            await work(session);
            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>The running totals the inline projections keep beside their documents (grants, account and funding days), from those documents.</summary>
    public static async Task RecomputeTotals(IDocumentStore store, CancellationToken ct)
    {
        await Funding.GrantFunds.Recompute(store, ct);
        await AccountDays.Sums.Recompute(store, ct);
        await Funding.FundingDays.Sums.Recompute(store, ct);
    }

    /// <summary>The advisory lock of the schema's async daemon: whoever holds it leads the projections.</summary>
    public static int DaemonLockId(string schema) =>
        40_000 + (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema))) % 1_000_000);

    public static void Configure(StoreOptions opts, string connectionString, string schema) => Configure(opts, new LedgerDatabases(connectionString), schema);

    /// <summary>
    /// The configuration over one database, or over several (Marten's multi-tenancy with separate databases, alliances
    /// as conjoined tenants inside each): every database gets the same schema, projections, daemon and audit chain.
    /// </summary>
    public static void Configure(StoreOptions opts, LedgerDatabases databases, string schema)
    {
        if (databases.OnlyMain) opts.Connection(databases.ConnectionStrings[LedgerDatabases.Main]);
        else opts.Tenancy = new AllianceTenancy(opts, databases);
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;

        // One daemon lock per schema: ledgers (or test classes) sharing a database in other schemas do not block each other.
        opts.Projections.DaemonLockId = DaemonLockId(schema);
        // A standby node asks for the daemon's lock this often: the longest a dead leader's projections wait for a successor
        // (PostgreSQL frees the lock as soon as the dead node's connection is gone).
        opts.Projections.LeadershipPollingTime = 2_000;
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.TenancyStyle = TenancyStyle.Conjoined;
        opts.Policies.AllDocumentsAreMultiTenanted();
        // Rich append assigns versions and sequences before the inline projections run, so postings can name them.
        opts.Events.AppendMode = EventAppendMode.Rich;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        // Marten's spans for connections and its marten.event.append counter, for the OpenTelemetry SDK the host adds.
        opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
        opts.OpenTelemetry.TrackEventCounters();

        foreach (var (type, name) in LedgerEvents.StoredNames) opts.Events.MapEventType(type, name);

        opts.Projections.Add<AllianceProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<LoanProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<DeliveryProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<PurchaseProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<CostShareProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<PaymentProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<SettlementProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ProjectProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<SubProjectProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<FundingEntryProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<PostingProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<UsageProjection>(ProjectionLifecycle.Async);

        // Balances and statements read an account's postings by business date: one index in statement order carries
        // every column the sums read, so a sum is an index-only scan that touches no row of the wide document table
        // (one member's balance at 1,000,000 events: 207 ms before), and a statement page reads its lines in order.
        // Marten's duplicated field would index the account alone, so the columns are [Column] and the index is added
        // to the mapping here.
        opts.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(Posting)) return;
            var statement = mapping.AddIndex("account", "business_date", "sequence");
            statement.Name = "mt_doc_posting_idx_statement";
            statement.IncludeColumns = ["tenant_id", "amount_fen", "recorded_at"];
        });
        opts.Schema.For<Posting>()
            .Duplicate(x => x.BusinessDate); // period closes read a range of dates
        // Other columns are [Column]: stored as columns without indexes of their own, which would only cost every write.
        // The funding report sums entries per sub-project, kind, line, purchase and year as known at a time: those
        // fields are columns, and the sub-project index carries all of them, so the sum reads no document row.
        opts.Schema.For<FundingEntry>()
            .Duplicate(x => x.SubProject, configure: index => index.IncludeColumns =
                ["tenant_id", "business_date", "recorded_at", "kind", "line", "purchase_id", "fiscal_year", "signed_fen", "amount_fen",
                 "subsidised_requests", "subsidised_pages", "subsidy_fen", "reward_fen"])
            .Duplicate(x => x.RecordedAt); // the report lists entries recorded after a day: few, found by this index
        opts.Storage.ExtendedSchemaObjects.Add(Audit.AuditChain.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(Audit.EventSeals.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(Audit.Checkpoint.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(Funding.GrantFunds.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(AccountDays.Sums.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(Funding.FundingDays.Sums.Schema(schema));
        opts.Schema.For<UsageMonth>()
            .Duplicate(x => x.Member)
            .Duplicate(x => x.Month);
    }
}
