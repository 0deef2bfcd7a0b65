using System.Diagnostics;
using System.Globalization;
using Ledger.Benchmarks;
using Ledger.Hosting;

// The benchmark: raw PostgreSQL and the ledger side by side in one run, on the PostgreSQL the scripts start.
// Usage: dotnet Ledger.Benchmarks.dll [--seconds N] [--warmup N] [--clients 1,16,64 | none] [--samples N] [--events N (history to import; 0 skips)]
var options = Options.Parse(args);
var machine = $"{Environment.ProcessorCount} cores, {Machine.MemoryGiB():0.#} GiB, {Machine.PostgresVersion()}";
Console.WriteLine($"Alliance Ledger benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC — {machine}");
Console.WriteLine($"each load phase runs {options.Seconds} s after a {options.WarmUp} s warm-up; clients {string.Join(", ", options.Clients)}; {options.Samples} samples per query");
var table = new ResultTable();

// 1. Raw PostgreSQL baseline: single-row insert transactions into a table shaped like the event table, and COPY.
var raw = new RawPostgres(Machine.ConnectionString);
await raw.Prepare();
var rawRates = new Dictionary<int, double>();
foreach (var connections in options.Clients)
{
    var r = await raw.SingleRowInserts(connections, TimeSpan.FromSeconds(options.Seconds));
    rawRates[connections] = r.PerSecond;
    table.Add("raw PostgreSQL", $"single-row insert transactions, {connections} connection(s)", $"{r.PerSecond:N0}/s", r.Latency.Describe(), "1.00",
        $"{r.Count:N0} rows");
}
var copy = await raw.Copy(200_000);
table.Add("raw PostgreSQL", "COPY (binary), one connection", $"{copy:N0} rows/s", "", "1.00", "200,000 rows");

// 2. The ledger: the API as its own process, authenticated HTTP clients.
await ApiProcess.DropSchema(Machine.ConnectionString, "bench");
await using var api = new ApiProcess(Machine.ConnectionString, "bench", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
await api.Start();
var alliance = new BenchAlliance(api);
await alliance.Create();
// 3. Bulk history import (the CLI verb, as an operator runs it) and a rebuild of every projection, with the API stopped.
if (options.Events > 0)
{
    var history = Path.Combine(Path.GetTempPath(), "ledger-bench-history.csv");
    var (rows, _) = await History.Write(history, options.Events, alliance.Members);
    await api.Kill();
    var before = await Machine.EventCount("bench");
    var import = await api.RunVerb("import", "--alliance", BenchAlliance.Code, "--file", history, "--batch", "2000");
    if (import.ExitCode != 0) throw new InvalidOperationException($"import failed: {import.Output}");
    var imported = await Machine.EventCount("bench") - before;
    var importRate = imported / import.Elapsed.TotalSeconds;
    table.Add("bulk import (CLI)", $"{rows:N0} finished requests from CSV, 2,000 per transaction", $"{importRate:N0} events/s", "",
        (importRate / copy).ToString("0.00", CultureInfo.InvariantCulture), $"{imported:N0} events in {import.Elapsed.TotalSeconds:N0} s (process start included)");
    File.Delete(history);
    // The audit chain over the imported history, as an operator would check it after an import (hash and recompute).
    var verify = await api.RunVerb("verify");
    if (verify.ExitCode != 0) throw new InvalidOperationException($"verify failed: {verify.Output}");
    var chained = await Machine.EventCount("bench");
    table.Add("audit chain (CLI verify)", $"extend the hash chain over the import, then recompute all {chained:N0} links", $"{chained / verify.Elapsed.TotalSeconds:N0} events/s",
        "", "", verify.Output.Trim().Split('\n')[^1].Trim());
    // The auditor's figure check: the chain and seals again, then every read model recomputed in a scratch schema and compared.
    var figures = await api.RunVerb("verify", "--figures");
    if (figures.ExitCode != 0) throw new InvalidOperationException($"verify --figures failed: {figures.Output}");
    table.Add("audit figures (CLI verify --figures)", $"chain and seals, then every read model recomputed from {chained:N0} events and compared",
        $"{chained / figures.Elapsed.TotalSeconds:N0} events/s", "", "", figures.Output.Trim().Split('\n')[^1].Trim());
    var rebuild = await api.RunVerb("rebuild");
    if (rebuild.ExitCode != 0) throw new InvalidOperationException($"rebuild failed: {rebuild.Output}");
    var total = await Machine.EventCount("bench");
    table.Add("rebuild (CLI)", $"every projection from {total:N0} events", $"{total / rebuild.Elapsed.TotalSeconds:N0} events/s", "", "",
        rebuild.Output.Trim().Split('\n')[^1].Trim());
    await api.Start();
}

// A server runs for days: the command phases measure it warmed up (the JIT's tiered recompilation alone took 17 % of
// the API's CPU in a cold 10-second phase, by perf).
if (options.Clients.Length > 0 && options.WarmUp > 0)
{
    var warm = await CommandMix.Run(api, alliance, options.Clients.Max(), TimeSpan.FromSeconds(options.WarmUp));
    Console.WriteLine($"warm-up: {warm.WritesPerSecond:N0} writes/s for {options.WarmUp} s at {options.Clients.Max()} clients (not in the table)");
}
foreach (var clients in options.Clients)
{
    var r = await CommandMix.Run(api, alliance, clients, TimeSpan.FromSeconds(options.Seconds));
    var ratio = r.WritesPerSecond / rawRates[clients];
    table.Add("command path (HTTP)", $"mix of 6 writes + 1 balance read, {clients} client(s)", $"{r.WritesPerSecond:N0} writes/s",
        r.Latency.Describe(), ratio.ToString("0.00", CultureInfo.InvariantCulture),
        $"{r.Requests:N0} requests, {r.Errors} errors; writes {r.WriteLatency.Describe()}");
}

// 3. Queries at the size the command phases left.
var events = await Machine.EventCount("bench");
foreach (var (name, url, client) in alliance.Queries())
{
    var l = await Queries.Measure(client, url, options.Samples);
    table.Add("queries", name, "", l.Describe(), "", $"{events:N0} events stored");
}
table.Add("API process", "peak resident memory (VmHWM)", $"{api.PeakMemoryMiB():N0} MiB", "", "", "whole run");

Console.WriteLine();
Console.WriteLine(table.Markdown());
var file = Path.Combine(Environment.CurrentDirectory, "benchmark-results.md");
await File.WriteAllTextAsync(file, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine}; {options.Seconds} s per load phase after a {options.WarmUp} s warm-up.\n\n{table.Markdown()}\n");
Console.WriteLine($"written to {file}");
return 0;

namespace Ledger.Benchmarks
{
    public sealed record Options(int Seconds, int[] Clients, int Samples, long Events, int WarmUp)
    {
        public static Options Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new Options(
                int.Parse(Value("--seconds") ?? "10", CultureInfo.InvariantCulture),
                Value("--clients") is "none" ? [] : (Value("--clients") ?? "1,16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
                int.Parse(Value("--samples") ?? "200", CultureInfo.InvariantCulture),
                long.Parse(Value("--events") ?? "1000000", CultureInfo.InvariantCulture),
                int.Parse(Value("--warmup") ?? "15", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Latencies of one phase, in milliseconds.</summary>
    public sealed class Latencies
    {
        private readonly List<double> values = [];

        public void Add(TimeSpan t)
        {
            lock (values) values.Add(t.TotalMilliseconds);
        }

        public void AddRange(Latencies other)
        {
            lock (values) values.AddRange(other.values);
        }

        public int Count => values.Count;

        public double Percentile(double p)
        {
            if (values.Count == 0) return double.NaN;
            var sorted = values.Order().ToArray();
            return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
        }

        public string Describe() => Count == 0 ? "" : $"p50 {Percentile(50):0.0} ms, p99 {Percentile(99):0.0} ms";
    }

    public sealed class ResultTable
    {
        private readonly List<string[]> rows = [];

        public void Add(params string[] cells)
        {
            rows.Add(cells);
            Console.WriteLine(string.Join(" | ", cells.Where(c => c.Length > 0)));
        }

        public string Markdown() =>
            "| part | what | rate | latency | ratio to raw | conditions |\n|---|---|---|---|---|---|\n" +
            string.Join("\n", rows.Select(r => "| " + string.Join(" | ", r) + " |"));
    }

    public static class Machine
    {
        public const string ConnectionString = "Host=127.0.0.1;Port=5432;Database=ledger;Username=ledger;Password=ledger;SSL Mode=Disable;Maximum Pool Size=200";

        public static double MemoryGiB()
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }

        public static string PostgresVersion()
        {
            using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("show server_version", connection);
            return "PostgreSQL " + command.ExecuteScalar();
        }

        public static async Task<long> EventCount(string schema)
        {
            await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"select count(*) from {schema}.mt_events", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    public static class Queries
    {
        public static async Task<Latencies> Measure(HttpClient client, string url, int samples)
        {
            var latencies = new Latencies();
            (await client.GetAsync(url)).EnsureSuccessStatusCode(); // warm
            for (var i = 0; i < samples; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                response.EnsureSuccessStatusCode();
                latencies.Add(clock.Elapsed);
            }
            return latencies;
        }
    }
}
