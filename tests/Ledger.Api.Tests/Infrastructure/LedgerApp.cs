using System.Net.Http.Json;
using System.Text.Json;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests.Infrastructure;

/// <summary>
/// The real API host on the real PostgreSQL started by infra/services.sh, in a schema of its own per test class
/// (dropped first, so every run starts empty and classes never see each other's data).
/// </summary>
public class LedgerApp<TTests>() : LedgerApp(SchemaOf(typeof(TTests)))
{
    public static new readonly string Schema = SchemaOf(typeof(TTests));
}

/// <summary>
/// The same host with its clock set years ahead (Ledger:Clock:Offset): a class of tests run on it proves that nothing it
/// checks depends on the day the suite runs.
/// </summary>
public class LaterDayApp<TTests>() : LedgerApp(SchemaOf(typeof(TTests)), TimeSpan.FromDays(5 * 365 + 1));

/// <summary>A test host in the given schema, on the host's clock moved by an offset (none: the clock the environment sets).</summary>
public abstract class LedgerApp : WebApplicationFactory<Program>, ITestApp
{
    /// <summary>The signing key of every test host: fixed, so tokens can be made before the host starts.</summary>
    public static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("alliance-ledger-tests"u8));

    public const string ConnectionString = "Host=127.0.0.1;Port=5432;Database=ledger;Username=ledger;Password=ledger;SSL Mode=Disable";

    private readonly TimeSpan? clockOffset;

    protected LedgerApp(string schema, TimeSpan? clockOffset = null)
    {
        Schema = schema;
        this.clockOffset = clockOffset;
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
        drop.ExecuteNonQuery();
    }

    protected static string SchemaOf(Type tests) => "t_" + tests.Name.ToLowerInvariant();

    /// <summary>The schema this host's ledger lives in.</summary>
    public string Schema { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Ledger", ConnectionString);
        builder.UseSetting("Ledger:Schema", Schema);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Auth:SigningKey", SigningKey);
        // The in-memory bus unless a test class turns the broker on (the messaging tests share one broker).
        builder.UseSetting("RabbitMq:Host", "");
        // Tests send thousands of requests as one caller; the rate-limit test sets its own small limit.
        builder.UseSetting("Ledger:Limits:PermitsPerSecond", "100000");
        builder.UseSetting("Ledger:Limits:Burst", "100000");
        if (clockOffset is { } offset) builder.UseSetting(HostClock.OffsetSetting, offset.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
    }

    public TokenIssuer Tokens => Services.GetRequiredService<TokenIssuer>();

    /// <summary>The host's clock (the system clock unless Ledger:Clock:Offset moves it): tests date what they record by it.</summary>
    public DateTimeOffset Now => Services.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>Today's business date in the test alliance's time zone, by the host's clock.</summary>
    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, TimeZoneInfo.FindSystemTimeZoneById(TestAlliance.TimeZone)).DateTime);

    /// <summary>A client whose requests carry a token for this role and scope (operators get every alliance).</summary>
    public HttpClient As(string role, string? member = null, string alliance = TestAlliance.Code, string? department = null)
    {
        var alliances = role == Roles.Operator ? new[] { Caller.AnyAlliance } : role == Roles.Auditor ? [] : new[] { alliance };
        return WithToken(Tokens.Issue(new TokenRequest($"test-{role}-{member ?? department ?? alliance}", role, alliances, member,
            role == Roles.Auditor ? department ?? TestAlliance.Department : null)));
    }

    public HttpClient WithToken(string? token)
    {
        var client = CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <summary>How many events the store holds: a rejected command must leave it unchanged.</summary>
    public async Task<long> EventCount()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"select count(*) from {Schema}.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task WaitForProjections() =>
        await Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Store, TimeSpan.FromSeconds(60));
}

/// <summary>What test helpers need of a test host, whatever its test class.</summary>
public interface ITestApp
{
    HttpClient As(string role, string? member = null, string alliance = TestAlliance.Code, string? department = null);
}

public static class HttpExtensions
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    public static async Task<string> ProblemCode(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return (await response.Json()).GetProperty("code").GetString()!;
    }

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static decimal Decimal(this JsonElement e, string property) => e.GetProperty(property).GetDecimal();
}
