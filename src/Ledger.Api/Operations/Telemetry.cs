using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ledger.Api.Infrastructure;
using Ledger.Projections;
using Marten;
using Microsoft.AspNetCore.Http.Metadata;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ledger.Api.Operations;

/// <summary>
/// The ledger's own traces and metrics (ActivitySource and Meter "Ledger"), and the OpenTelemetry SDK that collects them
/// with ASP.NET Core's, Marten's and MassTransit's. Export is by OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
/// standard OTEL_* variables choose protocol, headers and intervals); without it nothing leaves the process.
/// </summary>
public static class LedgerTelemetry
{
    public const string Name = "Ledger";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Commands run, by command name and outcome (recorded, unchanged, rejected, stale, conflict, failed).</summary>
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("ledger.commands", "{command}", "Commands run, by command and outcome");

    /// <summary>Events a command appended, by event type.</summary>
    public static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>("ledger.events.appended", "{event}", "Events appended by commands, by type");

    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("ledger.command.duration", "s", "Time from reading the stream to commit");

    private static readonly AsyncLocal<string?> CurrentCommand = new();

    /// <summary>The command being run on this flow: the HTTP endpoint's name (AdmitMember, ShipLoan…) or the queue's command (loan.shipped…).</summary>
    public static string? Command
    {
        get => CurrentCommand.Value;
        set => CurrentCommand.Value = value;
    }

    public static void AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        // Log scopes carry the trace and span ids, so structured logs (Logging:Console:FormatterName=json) join the traces.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("alliance-ledger", serviceInstanceId: Node.Name))
            .WithTracing(t => t
                .AddSource(Name, "Marten", "MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health")))
            .WithMetrics(m => m
                .AddMeter(Name, "Marten", "MassTransit", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddRuntimeInstrumentation());
        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }
        builder.Services.AddSingleton<ProjectionLagGauge>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ProjectionLagGauge>());
    }

    /// <summary>Names the command of an HTTP request (its endpoint's name) for the command metrics.</summary>
    public static Task NameCommand(HttpContext http, Func<Task> next)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name)
            Command = name.EndpointName;
        return next();
    }

    /// <summary>Runs one command as a span "ledger.command", counting it by outcome and timing it.</summary>
    public static async Task<T> Measure<T>(string alliance, string streamKey, Func<Task<T>> run, Func<T, string> outcome)
    {
        var command = Command ?? streamKey.Split(':')[0];
        using var activity = Source.StartActivity("ledger.command");
        activity?.SetTag("ledger.command", command);
        activity?.SetTag("ledger.alliance", alliance);
        activity?.SetTag("ledger.stream", streamKey);
        var clock = Stopwatch.StartNew();
        string result = "failed";
        try
        {
            var answer = await run();
            result = outcome(answer);
            return answer;
        }
        catch (Exception e) when (e is Domain.Rejected or Domain.NotFound)
        {
            result = "rejected";
            throw;
        }
        catch (StaleVersion)
        {
            result = "stale";
            throw;
        }
        catch (Exception e) when (e is JasperFx.ConcurrencyException or Marten.Exceptions.ConcurrentUpdateException or JasperFx.Events.ExistingStreamIdCollisionException
                                       or Marten.Exceptions.ExistingStreamIdCollisionException)
        {
            result = "conflict";
            throw;
        }
        finally
        {
            activity?.SetTag("ledger.outcome", result);
            var tags = new TagList { { "command", command }, { "outcome", result } };
            Commands.Add(1, tags);
            CommandDuration.Record(clock.Elapsed.TotalSeconds, tags);
        }
    }
}

/// <summary>
/// ledger.projection.lag: events the slowest async projection or subscription is behind, per database, read every
/// 15 s (the gauge reports the last reading; reading on every scrape would query PostgreSQL for each exporter).
/// </summary>
public sealed class ProjectionLagGauge : BackgroundService
{
    private readonly IDocumentStore store;
    private readonly LedgerDatabases databases;
    private readonly ILogger<ProjectionLagGauge> log;
    private readonly ConcurrentDictionary<string, long> lag = new();

    public ProjectionLagGauge(IDocumentStore store, LedgerDatabases databases, ILogger<ProjectionLagGauge> log)
    {
        this.store = store;
        this.databases = databases;
        this.log = log;
        LedgerTelemetry.Meter.CreateObservableGauge("ledger.projection.lag", () =>
            lag.Select(l => new Measurement<long>(l.Value, new KeyValuePair<string, object?>("database", l.Key))), "{event}",
            "Events the slowest async projection is behind the last event, per database");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (database, reading) in await ProjectionLag.ReadAll(store, databases, stoppingToken))
                    lag[database] = reading.Behind;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "projection lag could not be read");
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(15), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
