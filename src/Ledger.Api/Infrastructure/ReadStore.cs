using System.Collections.Concurrent;
using Ledger.Projections;
using Marten;
using Marten.Storage;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// Sessions for what finance officers, auditors and members read (balances, statements, usage, settlements, funding
/// reports, disputes): on the alliance's database's read replica when one is configured, else on the primary. Commands,
/// reads of one stream (whose ETag a client sends back) and authorization always read the primary.
/// </summary>
public sealed class ReadStore(IDocumentStore store, LedgerDatabases databases)
{
    private readonly bool primaryOnly;
    private readonly ConcurrentDictionary<string, IMartenDatabase> replicas = new(StringComparer.Ordinal);

    private ReadStore(IDocumentStore store, LedgerDatabases databases, bool primaryOnly) : this(store, databases) => this.primaryOnly = primaryOnly;

    public IDocumentStore Primary => store;

    /// <summary>The same reads on the primary: for an answer that must show what the request itself just recorded.</summary>
    public ReadStore OnPrimary => new(store, databases, primaryOnly: true);

    public IQuerySession QuerySession(string alliance)
    {
        var name = databases.NameFor(alliance);
        if (primaryOnly || !databases.Replicas.TryGetValue(name, out var replica)) return store.QuerySession(alliance);
        // The replica as a Marten database of its own (its own connection pool), holding the alliance as a tenant: every
        // query of the session opens its connection there. (A session given one connection uses it for its first query
        // only, then opens the next on the tenant's primary.)
        var database = replicas.GetOrAdd(name, _ => new MartenDatabase((StoreOptions)store.Options, Npgsql.NpgsqlDataSource.Create(replica), $"{name}-replica"));
        return store.QuerySession(Marten.Services.SessionOptions.ForDatabase(alliance, database));
    }
}
