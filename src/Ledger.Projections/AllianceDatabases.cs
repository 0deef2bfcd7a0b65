using System.Collections.Concurrent;
using JasperFx.Descriptors;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Storage;

namespace Ledger.Projections;

/// <summary>
/// Alliances placed in PostgreSQL databases of their own ("Ledger:Databases": a name, a connection string, the
/// alliance codes). Every other alliance lives in the main database (ConnectionStrings:Ledger).
/// </summary>
public sealed class AllianceDatabase
{
    public string Name { get; set; } = "";
    public string ConnectionString { get; set; } = "";
    public List<string> Alliances { get; set; } = [];

    /// <summary>A streaming replica of this database for reports and balances (optional).</summary>
    public string? ReadReplicaConnectionString { get; set; }
}

/// <summary>Where each alliance's events and read models are: the main database unless the configuration places it elsewhere.</summary>
public sealed class LedgerDatabases
{
    public const string Main = "main";

    public LedgerDatabases(string mainConnectionString, IReadOnlyList<AllianceDatabase>? others = null, string? mainReadReplica = null)
    {
        others ??= [];
        var names = others.Select(d => d.Name).Append(Main).ToList();
        if (others.Any(d => string.IsNullOrWhiteSpace(d.Name) || string.IsNullOrWhiteSpace(d.ConnectionString) || d.Alliances.Count == 0))
            throw new InvalidOperationException("each entry of Ledger:Databases needs a Name, a ConnectionString and at least one alliance code in Alliances");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new InvalidOperationException($"Ledger:Databases names must be distinct and not \"{Main}\"");
        var placed = others.SelectMany(d => d.Alliances).ToList();
        if (placed.Distinct(StringComparer.Ordinal).Count() != placed.Count)
            throw new InvalidOperationException("an alliance is placed in two databases in Ledger:Databases");
        ConnectionStrings = others.ToDictionary(d => d.Name, d => d.ConnectionString, StringComparer.Ordinal);
        ConnectionStrings[Main] = mainConnectionString;
        Replicas = others.Where(d => !string.IsNullOrWhiteSpace(d.ReadReplicaConnectionString))
            .ToDictionary(d => d.Name, d => d.ReadReplicaConnectionString!, StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(mainReadReplica)) Replicas[Main] = mainReadReplica;
        databaseOf = others.SelectMany(d => d.Alliances.Select(a => (a, d.Name))).ToDictionary(x => x.a, x => x.Name, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, string> databaseOf;

    /// <summary>Every database by name, the main one included.</summary>
    public Dictionary<string, string> ConnectionStrings { get; }

    /// <summary>Read replicas by database name (databases without one are read on the primary).</summary>
    public Dictionary<string, string> Replicas { get; }

    public bool OnlyMain => ConnectionStrings.Count == 1;

    public IReadOnlyDictionary<string, string> Placed => databaseOf;

    /// <summary>The name a Marten database of this ledger goes by here ("main", or its Ledger:Databases entry's name).</summary>
    public string NameOf(IMartenDatabase database)
    {
#pragma warning disable CS0618 // Identifier is the name the tenancy was given; its replacement (Id) is host and database
        return OnlyMain ? Main : database.Identifier;
#pragma warning restore CS0618
    }

    /// <summary>The name of the database that holds this alliance.</summary>
    public string NameFor(string alliance) => databaseOf.GetValueOrDefault(alliance, Main);
}

/// <summary>
/// Marten's static multi-tenancy by database (conjoined tenants inside each), with one difference: an alliance the
/// configuration does not place is a tenant of the main database rather than an unknown tenant, so alliances founded
/// after start-up work as before.
/// </summary>
public sealed class AllianceTenancy : StaticMultiTenancy, ITenancy
{
    private readonly LedgerDatabases databases;
    private readonly IMartenDatabase main;
    private readonly ConcurrentDictionary<string, Tenant> unplaced = new(StringComparer.Ordinal);

    public AllianceTenancy(StoreOptions options, LedgerDatabases databases) : base(new Weasel.Postgresql.Connections.DefaultNpgsqlDataSourceFactory(), options)
    {
        this.databases = databases;
        AddMultipleTenantDatabase(databases.ConnectionStrings[LedgerDatabases.Main], LedgerDatabases.Main).ForTenants().AsDefault();
        foreach (var (name, connectionString) in databases.ConnectionStrings.Where(d => d.Key != LedgerDatabases.Main))
            AddMultipleTenantDatabase(connectionString, name).ForTenants(databases.Placed.Where(p => p.Value == name).Select(p => p.Key).ToArray());
        main = base.FindOrCreateDatabase(LedgerDatabases.Main).Result;
    }

    public new Tenant GetTenant(string tenantId) =>
        databases.Placed.ContainsKey(tenantId) ? base.GetTenant(tenantId) : unplaced.GetOrAdd(tenantId, id => new Tenant(id, main));

    public new ValueTask<Tenant> GetTenantAsync(string tenantId) => ValueTask.FromResult(GetTenant(tenantId));

    public new ValueTask<IMartenDatabase> FindOrCreateDatabase(string tenantIdOrDatabaseIdentifier) =>
        databases.ConnectionStrings.ContainsKey(tenantIdOrDatabaseIdentifier)
            ? base.FindOrCreateDatabase(tenantIdOrDatabaseIdentifier)
            : ValueTask.FromResult(GetTenant(tenantIdOrDatabaseIdentifier).Database);

    ValueTask<IMartenDatabase?> ITenancy.TryFindDatabase(string tenantIdOrDatabaseIdentifier) =>
        ValueTask.FromResult<IMartenDatabase?>(FindOrCreateDatabase(tenantIdOrDatabaseIdentifier).Result);

    async ValueTask<IMartenDatabase> ITenancy.FindDatabase(DatabaseId id)
    {
        foreach (var database in await BuildDatabases())
            if (database is IMartenDatabase marten && marten.Id == id)
                return marten;
        throw new ArgumentOutOfRangeException(nameof(id), $"no ledger database is {id.Identity}");
    }

    public new bool IsTenantStoredInCurrentDatabase(IMartenDatabase database, string tenantId) => ReferenceEquals(database, GetTenant(tenantId).Database);
}
