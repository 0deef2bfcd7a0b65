using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Npgsql;

namespace Ledger.Hosting;

/// <summary>
/// The API as its own operating-system process (the built Ledger.Api.dll beside the caller, as run.sh runs it), in a
/// schema of the caller's own, so a test can kill it with SIGKILL and start it again and a benchmark can measure it
/// over real HTTP. Settings go in as environment variables; rate limits are off.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;
    private readonly StringBuilder output = new();
    private readonly TokenIssuer tokens;
    private Process? process;

    public ApiProcess(string connectionString, string schema, string signingKey, IReadOnlyDictionary<string, string>? settings = null)
    {
        Port = FreePort();
        environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Ledger"] = connectionString,
            ["Ledger__Schema"] = schema,
            ["Auth__SigningKey"] = signingKey,
            ["Ledger__Limits__PermitsPerSecond"] = "1000000",
            ["Ledger__Limits__Burst"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        // Tokens are dated by the clock the process will run on: its own setting, or the one it inherits.
        Clock = HostClock.For(environment.GetValueOrDefault(HostClock.OffsetVariable) ?? Environment.GetEnvironmentVariable(HostClock.OffsetVariable));
        tokens = new TokenIssuer(new AuthSettings { SigningKey = signingKey }, Clock);
    }

    /// <summary>Drops the schema so the process starts on an empty ledger.</summary>
    public static async Task DropSchema(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public int Port { get; }

    /// <summary>The clock the process runs on (the system clock moved by its Ledger:Clock:Offset).</summary>
    public TimeProvider Clock { get; }

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

    /// <summary>A client with a local token of this role and scope (operators get every alliance, auditors their department).</summary>
    public HttpClient As(string role, string alliance, string? member = null, string? department = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(role, alliance, member, department));
        return client;
    }

    /// <summary>A local token of this role and scope, as a user would paste it into the web console.</summary>
    public string Token(string role, string alliance, string? member = null, string? department = null)
    {
        var alliances = role == Roles.Operator ? [Caller.AnyAlliance] : role == Roles.Auditor ? Array.Empty<string>() : [alliance];
        return tokens.Issue(new TokenRequest($"process-{role}{(member is null ? "" : "-" + member.ToLowerInvariant())}", role, alliances, member, department,
            TimeSpan.FromHours(12)));
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
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
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
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the API process did not answer /health within 90 s:\n{Output}");
    }

    /// <summary>Runs one of the host's other verbs (import, rebuild, …) with the same settings; its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunVerb(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ledger.Api.dll"), .. arguments])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var verb = Process.Start(start)!;
        var text = new StringBuilder();
        verb.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.AppendLine(e.Data); };
        verb.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Console.Error.WriteLine($"  {e.Data}");
        };
        verb.BeginOutputReadLine();
        verb.BeginErrorReadLine();
        await verb.WaitForExitAsync();
        lock (text) return (verb.ExitCode, text.ToString(), clock.Elapsed);
    }

    /// <summary>The process's peak resident set (VmHWM) so far, in MiB.</summary>
    public long PeakMemoryMiB()
    {
        var line = File.ReadLines($"/proc/{process!.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
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
