using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.Api.Security;
using Npgsql;

namespace Ledger.Api.Tests.Infrastructure;

/// <summary>
/// The API as its own operating-system process (the built Ledger.Api.dll, as run.sh runs it), so a test can kill it
/// with SIGKILL mid-stream and start it again. Its schema and queue prefix are the test's own.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly string schema;
    private readonly string queuePrefix;
    private readonly StringBuilder output = new();
    private Process? process;

    public ApiProcess(string schema, string queuePrefix, bool dropSchema = true)
    {
        this.schema = schema;
        this.queuePrefix = queuePrefix;
        Port = FreePort();
        if (!dropSchema) return;
        using var connection = new NpgsqlConnection(LedgerApp<ApiProcess>.ConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
        drop.ExecuteNonQuery();
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public int? ProcessId => process?.Id;

    /// <summary>What the process printed (for a failing test's message).</summary>
    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    private readonly TokenIssuer tokens = new(new AuthSettings { SigningKey = LedgerApp<ApiProcess>.SigningKey }, TimeProvider.System);

    public HttpClient As(string role, string? member = null, string alliance = TestAlliance.Code)
    {
        var alliances = role == Roles.Operator ? new[] { Caller.AnyAlliance } : new[] { alliance };
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            tokens.Issue(new TokenRequest($"process-{role}", role, alliances, member)));
        return client;
    }

    /// <summary>Starts the process and waits until it answers /health.</summary>
    public async Task Start()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Ledger.Api.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "serve", "--urls", Address.ToString().TrimEnd('/')])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Ledger"] = LedgerApp<ApiProcess>.ConnectionString,
                ["Ledger__Schema"] = schema,
                ["Auth__SigningKey"] = LedgerApp<ApiProcess>.SigningKey,
                ["RabbitMq__Host"] = "127.0.0.1",
                ["RabbitMq__QueuePrefix"] = queuePrefix,
                ["Ledger__Limits__PermitsPerSecond"] = "100000",
                ["Ledger__Limits__Burst"] = "100000",
                ["Logging__LogLevel__Default"] = "Warning",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited) throw new InvalidOperationException($"the API process exited with {process.ExitCode}:\n{Output}");
            try
            {
                if ((await probe.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the API process did not answer /health within 90 s:\n{Output}");
    }

    /// <summary>kill -9: no shutdown hooks, no flushing, whatever it was doing.</summary>
    public async Task Kill()
    {
        if (process is null) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync() => await Kill();

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            if (output.Length < 200_000) output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
