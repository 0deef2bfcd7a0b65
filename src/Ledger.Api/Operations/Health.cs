using System.Text.Json;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Ledger.Api.Operations;

/// <summary>
/// Liveness (the process answers) and readiness (PostgreSQL answers in every ledger database, the bus is connected,
/// the async projections are not too far behind the events). A load balancer sends traffic to ready nodes only and
/// restarts nodes that are not live.
/// </summary>
public static class Health
{
    public const string Ready = "ready";

    public static void AddLedgerHealth(this IServiceCollection services)
    {
        // MassTransit adds its own bus check (tagged "ready") with AddMassTransit: started, connected, endpoints up.
        services.AddHealthChecks()
            .AddCheck<DatabasesCheck>("postgresql", tags: [Ready])
            .AddCheck<ProjectionLagCheck>("projections", tags: [Ready])
            .AddCheck<Audit.AuditChainCheck>("audit", tags: [Ready]);
    }

    public static void MapLedgerHealth(this IEndpointRouteBuilder app)
    {
        // /health is the liveness probe's old name, kept for scripts that use it.
        foreach (var path in new[] { "/health", "/health/live" })
            app.MapHealthChecks(path, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write }).AllowAnonymous().WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = Write,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous().WithTags("Health");
    }

    private static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = Name(report.Status),
            node = Node.Name,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Name(e.Value.Status),
                description = e.Value.Description,
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "unavailable",
    };
}

/// <summary>Every ledger database (the main one and the alliances' own) answers a query within the probe's time.</summary>
public sealed class DatabasesCheck(IDocumentStore store, LedgerDatabases databases) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var data = new Dictionary<string, object>();
        try
        {
            foreach (var database in await store.Storage.AllDatabases())
            {
                await using var connection = database.CreateConnection();
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(ct);
                data[databases.NameOf(database)] = "ok";
            }
            return HealthCheckResult.Healthy($"{data.Count} database(s) answer", data);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer", e, data);
        }
    }
}

/// <summary>
/// How many events the async projections and the integration-event subscription have still to process, in every
/// database, and which of them this node runs (hot/cold: the leader runs them all, a standby none). Degraded when
/// anything is over the warning threshold (the usage statistics or the integration events are late; balances are inline
/// and never late); unavailable only when a read model is over the critical one — the subscription being behind (after
/// a large import, or a long broker outage) delays messages but makes no answer wrong, so it never takes nodes out.
/// </summary>
public sealed class ProjectionLagCheck(IDocumentStore store, LedgerDatabases databases, IConfiguration configuration, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var warning = configuration.GetValue("Ledger:Health:ProjectionLagWarning", 10_000L);
        var critical = configuration.GetValue("Ledger:Health:ProjectionLagCritical", 1_000_000L);
        var lags = await ProjectionLag.ReadAll(store, databases, ct);
        var data = lags.ToDictionary(l => l.Key, object (l) => l.Value);
        data["runningHere"] = await RunningHere(services);
        var (status, description) = Verdict(lags.Values, warning, critical);
        return new HealthCheckResult(status, description, data: data);
    }

    /// <summary>Unavailable when a read model is over the critical lag; degraded when anything is over the warning; else healthy.</summary>
    public static (HealthStatus Status, string Description) Verdict(IEnumerable<ProjectionLag> lags, long warning, long critical)
    {
        var all = lags.ToList();
        var worst = all.Select(l => l.Behind).DefaultIfEmpty(0).Max();
        var readModels = all.Select(l => l.BehindExcept(Messaging.IntegrationEventPublisher.SubscriptionName)).DefaultIfEmpty(0).Max();
        return readModels >= critical ? (HealthStatus.Unhealthy, $"read models are {readModels} events behind")
            : worst >= warning ? (HealthStatus.Degraded, $"projections are {worst} events behind")
            : (HealthStatus.Healthy, $"projections are {worst} events behind");
    }

    /// <summary>The projections and subscriptions this node's daemon runs now (every one on the leader, none on a standby).</summary>
    public static async Task<string[]> RunningHere(IServiceProvider services)
    {
        if (services.GetService<JasperFx.Events.Daemon.IProjectionCoordinator>() is not { } coordinator) return [];
        var names = new List<string>();
        foreach (var daemon in await coordinator.AllDaemonsAsync())
            names.AddRange(daemon.CurrentAgents().Select(a => a.Name.Identity));
        return names.Order(StringComparer.Ordinal).ToArray();
    }
}

/// <summary>
/// One database's projection progress: its last event, how far the slowest projection is behind it, and each one's
/// position. Only this release's projections count (by their versioned names): a new version that has not started yet
/// is behind by every event, and the previous release's rows (blue/green) are ignored.
/// </summary>
public sealed record ProjectionLag(long LastEvent, long Behind, IReadOnlyDictionary<string, long> Projections)
{
    /// <summary>This release's async projections and subscriptions, as the daemon names their progress rows.</summary>
    public static string[] Expected(IDocumentStore store) =>
        ((StoreOptions)store.Options).Projections.AllShards().Select(s => s.Name.Identity).ToArray();

    /// <summary>How far the slowest projection is behind, leaving out those whose name starts with <paramref name="excluded"/>.</summary>
    public long BehindExcept(string excluded) =>
        LastEvent - Projections.Where(p => !p.Key.StartsWith(excluded + ":", StringComparison.Ordinal)).Select(p => p.Value).DefaultIfEmpty(LastEvent).Min();

    /// <summary>Every ledger database's progress, by the database's name.</summary>
    public static async Task<Dictionary<string, ProjectionLag>> ReadAll(IDocumentStore store, LedgerDatabases databases, CancellationToken ct)
    {
        var lags = new Dictionary<string, ProjectionLag>(StringComparer.Ordinal);
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(ct);
            lags[databases.NameOf(database)] = await Read(connection, store.Options.DatabaseSchemaName, Expected(store), ct);
        }
        return lags;
    }

    public static async Task<ProjectionLag> Read(NpgsqlConnection connection, string schema, IReadOnlyCollection<string> expected, CancellationToken ct)
    {
        long last;
        await using (var command = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events", connection))
            last = (long)(await command.ExecuteScalarAsync(ct))!;
        var progress = new Dictionary<string, long>();
        foreach (var name in expected) progress[name] = 0;
        await using (var command = new NpgsqlCommand($"select name, last_seq_id from {schema}.mt_event_progression where name = any($1)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = expected.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                progress[reader.GetString(0)] = reader.GetInt64(1);
        }
        var behind = progress.Count == 0 ? 0 : last - progress.Values.Min();
        return new ProjectionLag(last, Math.Max(behind, 0), progress);
    }
}

/// <summary>
/// This node's name (Ledger:Node, else host/process id). It is the application name of every connection the node opens,
/// so PostgreSQL (pg_stat_activity, pg_locks) shows which node holds which connection and lock.
/// </summary>
public static class Node
{
    public static string Name { get; private set; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public static string Configure(IConfiguration configuration, string connectionString)
    {
        if (configuration["Ledger:Node"] is { Length: > 0 } name) Name = name;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = $"ledger {Name}";
        return builder.ConnectionString;
    }
}
