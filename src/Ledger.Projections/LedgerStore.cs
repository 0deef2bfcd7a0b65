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
    public static void Configure(StoreOptions opts, string connectionString, string schema)
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;

        // One daemon lock per schema: ledgers (or test classes) sharing a database in other schemas do not block each other.
        opts.Projections.DaemonLockId = 40_000 + (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(schema))) % 1_000_000);
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.TenancyStyle = TenancyStyle.Conjoined;
        opts.Policies.AllDocumentsAreMultiTenanted();
        // Rich append assigns versions and sequences before the inline projections run, so postings can name them.
        opts.Events.AppendMode = EventAppendMode.Rich;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;

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

        opts.Schema.For<Posting>()
            .Duplicate(x => x.Account)
            .Duplicate(x => x.BusinessDate)
            .Duplicate(x => x.AmountFen)
            .Duplicate(x => x.Sequence);
        opts.Schema.For<FundingEntry>()
            .Duplicate(x => x.SubProject)
            .Duplicate(x => x.SignedFen)
            .Duplicate(x => x.BusinessDate);
        opts.Storage.ExtendedSchemaObjects.Add(Audit.AuditChain.Schema(schema));
        opts.Storage.ExtendedSchemaObjects.Add(Funding.GrantFunds.Schema(schema));
        opts.Schema.For<UsageMonth>()
            .Duplicate(x => x.Member)
            .Duplicate(x => x.Month);
    }
}
