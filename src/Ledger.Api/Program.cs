using FluentValidation;
using JasperFx.Events.Daemon;
using Ledger.Api;
using Ledger.Api.Audit;
using Ledger.Api.Demo;
using Ledger.Api.Infrastructure;
using Ledger.Api.Messaging;
using Ledger.Api.Operations;
using Ledger.Api.Security;
using Ledger.Api.WebConsole;
using Ledger.Projections;
using Ledger.Projections.Audit;
using Marten;
using Microsoft.AspNetCore.Http.Json;

// Wiring only. Verbs: "serve" (default), "apply-schema", "load-demo", "import", "rebuild", "verify", "seal", "token"; "serve --load-demo" loads the demo first.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
var builder = WebApplication.CreateBuilder(verb == "token" ? [] : args);

if (verb == "token")
{
    try
    {
        var auth = builder.Configuration.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        return TokenCommand.Run(args[1..], new TokenIssuer(auth, HostClock.From(builder.Configuration)));
    }
    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

// The main database; alliances placed in databases of their own (Ledger:Databases); read replicas (optional):
// ConnectionStrings:LedgerReadReplica for the main one, ReadReplicaConnectionString in an entry. Every connection
// string gets the node's name as its application name.
string? Configured(string? connectionString) => string.IsNullOrWhiteSpace(connectionString) ? null : Node.Configure(builder.Configuration, connectionString);
var databases = new LedgerDatabases(
    Configured(builder.Configuration.GetConnectionString("Ledger")) ?? throw new InvalidOperationException("ConnectionStrings:Ledger is not set"),
    (builder.Configuration.GetSection("Ledger:Databases").Get<List<AllianceDatabase>>() ?? [])
        .Select(d => new AllianceDatabase
        {
            Name = d.Name,
            ConnectionString = Configured(d.ConnectionString) ?? "",
            Alliances = d.Alliances,
            ReadReplicaConnectionString = Configured(d.ReadReplicaConnectionString),
        }).ToList(),
    Configured(builder.Configuration.GetConnectionString("LedgerReadReplica")));
builder.Services.AddSingleton(databases);
string Schema() => builder.Configuration["Ledger:Schema"] ?? "ledger";
builder.Services.AddMarten(services =>
    {
        var opts = new StoreOptions();
        LedgerStore.Configure(opts, databases, Schema());
        // Events are stamped by the host's clock, the same one that gives business dates their default.
        opts.Events.TimeProvider = new StoredClock(services.GetRequiredService<TimeProvider>());
        return opts;
    })
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    // Every serving node runs the daemon hot/cold: one leader (PostgreSQL advisory lock) runs the async projections and
    // the integration-event subscription; the others poll and take over when the leader's connection dies.
    .AddAsyncDaemon(verb == "serve" ? DaemonMode.HotCold : DaemonMode.Disabled)
    .AddSubscriptionWithServices<IntegrationEventPublisher>(ServiceLifetime.Singleton);
builder.Services.AddLedgerMessaging(builder.Configuration);

// The one-shot verbs start the host only to apply the schema; they take any free port so a running server is no obstacle.
if (verb != "serve") builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddSingleton(HostClock.From(builder.Configuration));
builder.Services.AddSingleton(sp => TimeBounds.From(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton(sp => SealSettings.From(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton<AuditStatus>();
builder.Services.AddSingleton<CheckpointIssuer>();
builder.Services.AddSingleton(sp => new AuditChains(databases, Schema(), sp.GetRequiredService<Ledger.Projections.Audit.SealKeys>()));
builder.Services.AddHostedService<Ledger.Api.Infrastructure.RunningTotalsStartup>();
if (verb == "serve") builder.Services.AddHostedService<AuditChainService>();
builder.Services.AddSingleton<CommandRunner>();
builder.Services.AddSingleton<ReadStore>();
builder.Services.AddTransient<DemoAlliance>();
builder.Services.AddSingleton<Ledger.Projections.Bulk.BulkLedgerWriter>();
builder.Services.AddTransient<Ledger.Api.Import.HistoryImport>();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.Configure<JsonOptions>(o => Json.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddCode);
builder.Services.AddOpenApi();
builder.Services.AddLedgerAuth();
builder.Services.AddLimits();
builder.Services.AddConsole();
builder.Services.AddLedgerHealth();
builder.AddLedgerTelemetry();

var app = builder.Build();

switch (verb)
{
    case "apply-schema":
        await app.StartAsync(); // ApplyAllDatabaseChangesOnStartup runs here
        await app.StopAsync();
        Console.WriteLine("schema applied");
        return 0;
    case "load-demo":
        await app.StartAsync();
        await app.Services.GetRequiredService<DemoAlliance>().Load(CancellationToken.None);
        await app.StopAsync();
        return 0;
    case "verify":
        {
            // Chain what is committed, then recompute the whole chain from the stored events.
            await app.StartAsync();
            var intact = true;
            foreach (var (database, chain) in app.Services.GetRequiredService<AuditChains>().All)
            {
                var head = await chain.CatchUp(CancellationToken.None);
                var result = await chain.Verify(CancellationToken.None);
                var which = databases.OnlyMain ? "" : $" (database {database})";
                Console.WriteLine(result.Intact
                    ? $"audit chain intact{which}: {result.Events} events up to sequence {result.CheckedUpTo}, head {head.Hash}"
                    : $"audit chain broken{which} at sequence {result.FirstMismatchSequence}: {result.Problem}");
                intact &= result.Intact;
                if (result.Intact && args.Contains("--figures"))
                {
                    // verify --figures: every read model recomputed from the verified events and compared row by row.
                    var figures = await Ledger.Projections.Audit.FigureCheck.Run(app.Services.GetRequiredService<IDocumentStore>(),
                        databases.ConnectionStrings[database], CancellationToken.None);
                    Console.WriteLine(figures.Intact
                        ? $"figures intact{which}: {string.Join(", ", figures.Compared)} equal what the events give ({figures.Took.TotalSeconds:N1} s)"
                        : $"figures differ{which}: {figures.Problem}");
                    intact &= figures.Intact;
                }
            }
            await app.StopAsync();
            return intact ? 0 : 1;
        }
    case "seal":
        {
            // Once, when a ledger recorded before events were sealed is upgraded: verify the chain, then seal what has no seal.
            await app.StartAsync();
            var sealedAll = true;
            foreach (var (database, chain) in app.Services.GetRequiredService<AuditChains>().All)
            {
                await chain.CatchUp(CancellationToken.None);
                var result = await chain.Verify(CancellationToken.None);
                if (!result.Intact && result.FirstMismatchSequence is not null && result.Problem?.StartsWith("sealing has not begun", StringComparison.Ordinal) != true)
                {
                    Console.WriteLine($"not sealed ({database}): the chain is broken at sequence {result.FirstMismatchSequence}: {result.Problem}");
                    sealedAll = false;
                    continue;
                }
                Console.WriteLine($"sealed {await chain.SealExisting(CancellationToken.None)} events recorded before sealing ({database})");
            }
            await app.StopAsync();
            return sealedAll ? 0 : 1;
        }
    case "import":
        {
            // import --alliance JALIS --file history.csv [--batch 2000] [--rejects history.rejected.csv]
            string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            var file = Option("--file");
            var allianceCode = Option("--alliance");
            if (file is null || allianceCode is null)
            {
                Console.Error.WriteLine("usage: import --alliance CODE --file history.csv [--batch 2000] [--rejects FILE]");
                return 2;
            }
            var batchSize = int.TryParse(Option("--batch"), out var b) && b is > 0 and <= 50_000 ? b : 2000;
            var rejectsFile = Option("--rejects") ?? Path.ChangeExtension(file, ".rejected.csv");
            await app.StartAsync();
            var lastReport = System.Diagnostics.Stopwatch.StartNew();
            using var input = new StreamReader(file);
            await using var rejects = new StreamWriter(rejectsFile);
            // Ctrl+C or SIGTERM stops between batches: what was committed stays, and the same command imports the rest.
            var stopping = app.Lifetime.ApplicationStopping;
            Ledger.Api.Import.ImportResult result;
            try
            {
                result = await app.Services.GetRequiredService<Ledger.Api.Import.HistoryImport>().Run(allianceCode, input, rejects, batchSize, r =>
                {
                    if (lastReport.Elapsed < TimeSpan.FromSeconds(1)) return;
                    lastReport.Restart();
                    Console.Error.WriteLine($"{r.Rows:N0} rows read, {r.Imported:N0} imported, {r.AlreadyThere:N0} already there, {r.Rejected:N0} rejected, " +
                                            $"{r.Events:N0} events, {r.EventsPerSecond:N0} events/s");
                }, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                Console.Error.WriteLine("import stopped: the batches committed so far are kept; run the same command again to import the rest");
                return 130;
            }
            await app.StopAsync();
            Console.WriteLine($"imported {result.Imported:N0} of {result.Rows:N0} rows ({result.Events:N0} events in {result.Elapsed.TotalSeconds:N1} s, " +
                              $"{result.EventsPerSecond:N0} events/s); {result.AlreadyThere:N0} already there; {result.Rejected:N0} rejected" +
                              (result.Rejected > 0 ? $" (see {rejectsFile})" : ""));
            return result.Rejected > 0 ? 1 : 0;
        }
    case "rebuild":
        {
            await app.StartAsync();
            var store = app.Services.GetRequiredService<IDocumentStore>();
            long events = 0;
            foreach (var database in await store.Storage.AllDatabases())
                events += (await database.FetchEventStoreStatistics(CancellationToken.None)).EventCount;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await LedgerStore.RebuildAll(store, (what, took) => Console.Error.WriteLine($"{what} rebuilt after {took.TotalSeconds:N1} s"), CancellationToken.None);
            await app.StopAsync();
            var peak = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?.Split(':')[1].Trim();
            Console.WriteLine($"rebuilt every projection from {events:N0} events in {clock.Elapsed.TotalSeconds:N1} s " +
                              $"({events / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} events/s); peak memory {peak}");
            return 0;
        }
    case "serve":
        break;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}': use serve, apply-schema, load-demo, import, rebuild, verify or token");
        return 2;
}

// Order matters: headers on everything, failures as problems, size before reading, who before how often before what.
app.Use(Hardening.SecurityHeaders);
app.UseStatusCodePages(); // bodiless answers of the framework (404 route, 405, 415) become problem+json too
app.Use(Problems.Handle);
app.UseConsole(); // static files of the web console, before sign-in (the pages hold no data; the API calls they make are checked)
app.Use(Hardening.BodyLimit);
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.Use(LedgerTelemetry.NameCommand);
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapLedgerHealth();
Endpoints.Map(app.MapGroup("/api").AddEndpointFilter<TimeBoundsFilter>());

if (args.Contains("--load-demo"))
{
    await app.StartAsync();
    await app.Services.GetRequiredService<DemoAlliance>().Load(CancellationToken.None);
    DemoAlliance.PrintExamples(app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080",
        app.Services.GetRequiredService<AuthSettings>().UsesLocalKey ? app.Services.GetRequiredService<TokenIssuer>() : null);
    await app.WaitForShutdownAsync();
    return 0;
}

await app.RunAsync();
return 0;

public partial class Program;
