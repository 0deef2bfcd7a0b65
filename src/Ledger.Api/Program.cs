using FluentValidation;
using JasperFx.Events.Daemon;
using Ledger.Api;
using Ledger.Api.Demo;
using Ledger.Api.Infrastructure;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.Json;

// Wiring only. Verbs: "serve" (default), "apply-schema", "load-demo"; "serve --load-demo" loads the demo first.
var builder = WebApplication.CreateBuilder(args);
var verb = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "serve";

builder.Services.AddMarten(opts => LedgerStore.Configure(opts,
        builder.Configuration.GetConnectionString("Ledger") ?? throw new InvalidOperationException("ConnectionStrings:Ledger is not set"),
        builder.Configuration["Ledger:Schema"] ?? "ledger"))
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    .AddAsyncDaemon(verb == "serve" ? DaemonMode.Solo : DaemonMode.Disabled);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<CommandRunner>();
builder.Services.AddTransient<DemoAlliance>();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();
builder.Services.Configure<JsonOptions>(o => Json.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

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
    case "serve":
        break;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}': use serve, apply-schema or load-demo");
        return 2;
}

app.Use(Problems.Handle);
app.MapOpenApi("/openapi/{documentName}.json");
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).WithTags("Health");
Endpoints.Map(app.MapGroup("/api"));

if (args.Contains("--load-demo"))
{
    await app.StartAsync();
    await app.Services.GetRequiredService<DemoAlliance>().Load(CancellationToken.None);
    DemoAlliance.PrintExamples(app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080");
    await app.WaitForShutdownAsync();
    return 0;
}

await app.RunAsync();
return 0;

public partial class Program;
