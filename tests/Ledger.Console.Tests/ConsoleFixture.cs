using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Api.Security;
using Ledger.Hosting;
using Microsoft.Playwright;

namespace Ledger.Console.Tests;

/// <summary>
/// The API as a real process on PostgreSQL in its own schema with the demo alliance loaded by its own verb, a second
/// alliance with one ended, unclosed month (for the close through the console), and one headless Debian Chromium.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Schema = "t_console";
    public const string ConnectionString = "Host=127.0.0.1;Port=5432;Database=ledger;Username=ledger;Password=ledger;SSL Mode=Disable";
    public const string Demo = "JALIS";
    public const string Closing = "CLOSE";
    private static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("alliance-ledger-console-tests"u8));

    public ApiProcess Api { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the pages' screenshots go: TestResults/console-screenshots at the repository's root.</summary>
    public string Screenshots { get; } = ScreenshotFolder();

    public async Task InitializeAsync()
    {
        await ApiProcess.DropSchema(ConnectionString, Schema);
        Api = new ApiProcess(ConnectionString, Schema, SigningKey);
        var demo = await Api.RunVerb("load-demo");
        demo.ExitCode.ShouldBe(0, demo.Output);
        await Api.Start();
        await SecondAlliance();
        await ChainCaughtUp();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Root in a container needs --no-sandbox; the rest keep Chromium from calling Google's hosts on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Api is not null) await Api.DisposeAsync();
    }

    /// <summary>CLOSE: founded on 1 January 2026 with one payment in January, so January has ended and is the first open period.</summary>
    private async Task SecondAlliance()
    {
        var op = Api.As(Roles.Operator, Closing);
        var fo = Api.As(Roles.FinanceOfficer, Closing);
        async Task Post(HttpClient client, string path, object body)
        {
            var response = await client.PostAsJsonAsync(path, body);
            response.IsSuccessStatusCode.ShouldBeTrue($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        await Post(op, "/api/alliances", new
        {
            code = Closing,
            name = "Closing test alliance",
            kind = "municipal",
            region = "Nanjing",
            departmentCode = "NJEDU",
            currency = "CNY",
            timeZone = "Asia/Shanghai",
            foundedAt = "2026-01-01T09:00:00+08:00",
        });
        foreach (var m in new[] { "ALIB", "BLIB" })
            await Post(op, $"/api/alliances/{Closing}/members", new { code = m, name = $"{m} library", fte = 10_000, regionGroup = "south", role = "member", joinedOn = "2026-01-01" });
        await Post(fo, $"/api/alliances/{Closing}/payments", new
        {
            paymentId = "PAY-JAN-1",
            member = "ALIB",
            direction = "member-to-centre",
            amount = 1234.50m,
            paidOn = "2026-01-15",
            bankReference = "BOC-0115",
            at = "2026-01-15T10:00:00+08:00",
        });
    }

    /// <summary>Waits until the hash chain covers every event, so the console's chain links are settled when tests compare them.</summary>
    private async Task ChainCaughtUp()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var max = new Npgsql.NpgsqlCommand($"select max(seq_id) from {Schema}.mt_events", connection);
        var last = (long)(await max.ExecuteScalarAsync())!;
        var auditor = Api.As(Roles.Auditor, Demo, department: "JSEDU");
        for (var i = 0; i < 300; i++)
        {
            var head = await auditor.GetFromJsonAsync<JsonElement>("/api/audit/digest");
            if (head.GetProperty("sequence").GetInt64() >= last) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the hash chain did not catch up with the events");
    }

    private static string ScreenshotFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "console-screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
