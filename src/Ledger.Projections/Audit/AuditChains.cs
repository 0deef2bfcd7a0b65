using Npgsql;

namespace Ledger.Projections.Audit;

/// <summary>
/// One hash chain per ledger database: the chain links that database's events in their sequence, so an alliance placed
/// in a database of its own has its own chain, and the main database's chain covers every alliance kept there.
/// </summary>
public sealed class AuditChains : IAsyncDisposable
{
    private readonly LedgerDatabases databases;
    private readonly Dictionary<string, (NpgsqlDataSource Source, AuditChainWriter Writer)> chains;

    public AuditChains(LedgerDatabases databases, string schema, SealKeys keys)
    {
        this.databases = databases;
        chains = databases.ConnectionStrings.ToDictionary(d => d.Key, d =>
        {
            var source = NpgsqlDataSource.Create(d.Value);
            return (source, new AuditChainWriter(source, schema, keys));
        }, StringComparer.Ordinal);
    }

    /// <summary>The chain of the database that holds this alliance.</summary>
    public AuditChainWriter For(string alliance) => chains[databases.NameFor(alliance)].Writer;

    /// <summary>The name of the database (and so of the chain) that holds this alliance.</summary>
    public string DatabaseOf(string alliance) => databases.NameFor(alliance);

    /// <summary>A chain by its database's name, or null when there is no such database.</summary>
    public AuditChainWriter? Named(string database) => chains.TryGetValue(database, out var c) ? c.Writer : null;

    /// <summary>Every chain by database name, the main one first.</summary>
    public IEnumerable<(string Database, AuditChainWriter Chain)> All =>
        chains.OrderBy(c => c.Key == LedgerDatabases.Main ? 0 : 1).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value.Writer));

    public async ValueTask DisposeAsync()
    {
        foreach (var (source, _) in chains.Values) await source.DisposeAsync();
    }
}
