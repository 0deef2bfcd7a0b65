using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Funding;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;
using Ledger.Projections.Alliances;
using Ledger.Projections.Bulk;
using Ledger.Projections.Deliveries;
using Ledger.Projections.Funding;
using Ledger.Projections.Loans;
using Marten;
using Npgsql;

namespace Ledger.Api.Import;

/// <summary>One finished request of the history file (see the README's "History import" for the columns).</summary>
public sealed class HistoryRow
{
    public string Kind { get; set; } = "";
    public string Id { get; set; } = "";
    public string Borrower { get; set; } = "";
    public string Lender { get; set; } = "";
    public string Title { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? FilledAt { get; set; }
    public int? Pages { get; set; }
    public decimal? Charge { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    public DateTimeOffset? ReturnedAt { get; set; }
    public DateTimeOffset? UnfilledAt { get; set; }
    public string? UnfilledReason { get; set; }
}

public sealed record ImportResult(long Rows, long Imported, long AlreadyThere, long Rejected, long Events, TimeSpan Elapsed)
{
    public double EventsPerSecond => Events / Math.Max(Elapsed.TotalSeconds, 0.001);
}

/// <summary>
/// Loads years of past loans and deliveries from a CSV file through the same deciders as live commands, writing
/// many requests per transaction (with their inline projections: postings, grant movements, stream states). Rows
/// whose id is already recorded are skipped, so an interrupted import is simply run again; rows the rules refuse go
/// to a rejects file with the reason, and the rest are imported.
/// </summary>
public sealed class HistoryImport(IDocumentStore store, BulkLedgerWriter writer, TimeProvider clock)
{
    public const string Loan = "loan";
    public const string Copy = "copy";

    public async Task<ImportResult> Run(string alliance, TextReader input, TextWriter rejects, int batchSize, Action<ImportResult>? progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Alliance a;
        var grants = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var query = store.QuerySession(alliance))
            a = (await query.LoadAsync<AllianceView>(StreamKeys.Alliance, ct))?.State
                ?? throw new NotFound(AllianceCodes.AllianceMustExist, $"alliance {alliance} does not exist");

        using var csv = CsvReader.Create(input, CsvReaderOptions.Default with { FormatProvider = CultureInfo.InvariantCulture }, true);
        using var data = new CsvDataReader(csv, true);
        var columns = Enumerable.Range(0, data.FieldCount).ToDictionary(i => data.GetName(i).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant(), i => i);
        foreach (var required in new[] { "kind", "id", "borrower", "lender", "requested_at" })
            if (!columns.ContainsKey(required.Replace("_", "", StringComparison.Ordinal))) throw new ArgumentException($"the file has no column '{required}' (see the README for the columns)");
        await rejects.WriteLineAsync("line,id,reason");

        long rows = 0, imported = 0, already = 0, refused = 0, events = 0;
        var batch = new List<(long Line, HistoryRow Row)>(batchSize);
        while (true)
        {
            var more = data.Read();
            if (more)
            {
                rows++;
                var line = rows + 1; // the header is line 1
                try
                {
                    batch.Add((line, Row(data, columns)));
                }
                catch (FormatException e)
                {
                    refused++;
                    await Reject(rejects, line, Field(data, columns, "id") ?? "", $"unreadable row: {e.Message}");
                }
            }
            if (batch.Count == batchSize || (!more && batch.Count > 0))
            {
                // Grants are tracked in memory between batches; if a live command spent from one meanwhile, the running
                // total refuses the batch and it is decided again on the figures read afresh.
                var written = await CommandRunner.DecidedAgainOnOverspend(async () =>
                {
                    try
                    {
                        return await WriteBatch(alliance, a, grants, batch, ct);
                    }
                    catch (Exception e) when (GrantFunds.IsOverspend(e))
                    {
                        grants.Clear();
                        throw;
                    }
                });
                foreach (var (line, id, reason) in written.Rejections) await Reject(rejects, line, id, reason);
                imported += written.Imported;
                already += written.Already;
                refused += written.Refused;
                events += written.Events;
                batch.Clear();
                progress?.Invoke(new ImportResult(rows, imported, already, refused, events, clock.Elapsed));
            }
            if (!more) break;
        }
        await rejects.FlushAsync(ct);
        return new ImportResult(rows, imported, already, refused, events, clock.Elapsed);
    }

    private sealed record Written(long Imported, long Already, long Refused, long Events, List<(long Line, string Id, string Reason)> Rejections);

    private async Task<Written> WriteBatch(string alliance, Alliance a, Dictionary<string, long> grants, List<(long Line, HistoryRow Row)> batch,
        CancellationToken ct)
    {
        // One transaction per batch, written by COPY (events, streams and every inline projection's documents), holding
        // the alliance's settlement lock like any command.
        await using var connection = (await store.Storage.FindOrCreateDatabase(alliance)).CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await SettlementLocks.Take(connection, alliance, SettlementLock.Shared, ct);
        await using var query = store.QuerySession(alliance);
        var keys = batch.Select(b => Key(b.Row)).Where(k => k is not null).Cast<string>().Distinct().ToArray();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
                         $"select id from {store.Options.Events.DatabaseSchemaName}.mt_streams where tenant_id = $1 and id = any($2)", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = alliance });
            command.Parameters.Add(new NpgsqlParameter { Value = keys });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) existing.Add(reader.GetString(0));
        }

        var rejections = new List<(long, string, string)>();
        long imported = 0, already = 0, refused = 0, events = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var spent = new Dictionary<string, long>(StringComparer.Ordinal);
        var streams = new List<NewStream>();
        foreach (var (line, row) in batch)
        {
            var key = Key(row);
            if (key is null || !ValidationExtensions.IsValidCode(row.Id))
            {
                refused++;
                rejections.Add((line, row.Id, key is null ? "kind must be 'loan' or 'copy'" : "id must be 1–64 letters, digits, '-', '_' or '.'"));
                continue;
            }
            if (existing.Contains(key) || !seen.Add(key))
            {
                already++;
                continue;
            }
            try
            {
                var decided = row.Kind == Loan ? await LoanEvents(query, a, grants, spent, row, ct) : await DeliveryEvents(query, a, grants, spent, row, ct);
                streams.Add(new NewStream(key, row.Kind == Loan ? typeof(LoanView) : typeof(DeliveryView), decided));
                foreach (var e in decided)
                    foreach (var m in FundingRules.For(e))
                        spent[m.SubProject] = spent.GetValueOrDefault(m.SubProject) + m.SignedFen;
                imported++;
                events += decided.Length;
            }
            catch (Exception e) when (e is Rejected or NotFound or ArgumentException)
            {
                refused++;
                rejections.Add((line, row.Id, e is Rejected r ? $"{r.Code}: {r.Message}" : e is NotFound n ? $"{n.Code}: {n.Message}" : e.Message));
            }
        }
        if (streams.Count > 0) await writer.StartStreams(connection, alliance, streams, Recorder.User, Recorder.Role, clock.GetUtcNow(), ct);
        await transaction.CommitAsync(ct);
        foreach (var (sub, delta) in spent)
            if (grants.TryGetValue(sub, out var before)) grants[sub] = before + delta;
        return new Written(imported, already, refused, events, rejections);
    }

    private static readonly Recorder Recorder = new("import", Roles.Operator);

    private static string? Key(HistoryRow row) => row.Kind switch
    {
        Loan => StreamKeys.Loan(row.Id),
        Copy => StreamKeys.Delivery(row.Id),
        _ => null,
    };

    /// <summary>What the grant of the policy in force can still pay, as this import has spent it so far.</summary>
    private static async Task<long> Available(IQuerySession session, Alliance a, Dictionary<string, long> grants, Dictionary<string, long> spent,
        DateTimeOffset at, CancellationToken ct)
    {
        if (a.PolicyOn(a.BusinessDate(at))?.FundingReference is not { } reference) return long.MaxValue;
        if (!grants.TryGetValue(reference, out var known)) grants[reference] = known = await FundingQueries.AvailableFen(session, reference, ct);
        return known + spent.GetValueOrDefault(reference);
    }

    private static async Task<object[]> LoanEvents(IQuerySession session, Alliance a, Dictionary<string, long> grants, Dictionary<string, long> spent,
        HistoryRow row, CancellationToken ct)
    {
        var commands = new List<ILoanCommand> { new RequestLoan(row.Id, row.Borrower, row.Lender, Title(row), null, row.RequestedAt) };
        if (row.FilledAt is { } shipped)
        {
            commands.Add(new ShipLoan(Charge(row), shipped, await Available(session, a, grants, spent, shipped, ct)));
            if (row.ReceivedAt is { } received) commands.Add(new ReceiveLoan(received));
            if (row.ReturnedAt is { } returned) commands.Add(new ReturnLoan(returned));
        }
        else if (row.UnfilledAt is { } unfilled) commands.Add(new MarkLoanUnfilled(row.UnfilledReason ?? "unfilled", unfilled));
        return Fold<ILoanCommand, Loan, ILoanEvent>(commands, (c, s) => LoanDecider.Decide(row.Id, c, s, a), LoanDecider.Evolve);
    }

    private static async Task<object[]> DeliveryEvents(IQuerySession session, Alliance a, Dictionary<string, long> grants, Dictionary<string, long> spent,
        HistoryRow row, CancellationToken ct)
    {
        var commands = new List<IDeliveryCommand> { new RequestDelivery(row.Id, row.Borrower, row.Lender, Title(row), false, null, row.RequestedAt) };
        if (row.FilledAt is { } filled)
            commands.Add(new FulfilDelivery(row.Pages ?? throw new ArgumentException("pages is required for a filled copy"), Charge(row), filled,
                await Available(session, a, grants, spent, filled, ct)));
        else if (row.UnfilledAt is { } unfilled) commands.Add(new MarkDeliveryUnfilled(row.UnfilledReason ?? "unfilled", unfilled));
        return Fold<IDeliveryCommand, Delivery, IDeliveryEvent>(commands, (c, s) => DeliveryDecider.Decide(row.Id, c, s, a), DeliveryDecider.Evolve);
    }

    /// <summary>A request's commands decided one after another on the state the earlier ones left: all its events.</summary>
    private static object[] Fold<TCommand, TState, TEvent>(IEnumerable<TCommand> commands, Func<TCommand, TState?, TEvent[]> decide,
        Func<TState?, TEvent, TState> evolve) where TState : class where TEvent : notnull
    {
        TState? state = null;
        var events = new List<object>();
        foreach (var c in commands)
            foreach (var e in decide(c, state))
            {
                state = evolve(state, e);
                events.Add(e);
            }
        return events.ToArray();
    }

    private static string Title(HistoryRow row) => string.IsNullOrWhiteSpace(row.Title) ? "(imported)" : row.Title;

    private static long? Charge(HistoryRow row) => row.Charge is { } c
        ? Fen.IsValidAmount(c) ? Fen.FromAmount(c) : throw new ArgumentException("charge must be an amount with at most two decimals")
        : null;

    private static string? Field(CsvDataReader data, Dictionary<string, int> columns, string name) =>
        columns.TryGetValue(name.Replace("_", "", StringComparison.Ordinal), out var i) && data.GetString(i) is { Length: > 0 } text ? text.Trim() : null;

    private static HistoryRow Row(CsvDataReader data, Dictionary<string, int> columns)
    {
        string Text(string name) => Field(data, columns, name) ?? throw new FormatException($"{name} is required");
        DateTimeOffset? When(string name) => Field(data, columns, name) is { } t
            ? DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && t.Length > 10
                ? d
                : throw new FormatException($"{name} must be a date and time with its offset, such as 2024-03-05T09:30:00+08:00")
            : null;
        T? Number<T>(string name) where T : struct, IParsable<T> => Field(data, columns, name) is { } t
            ? T.TryParse(t, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{name} must be a number")
            : null;
        return new HistoryRow
        {
            Kind = Text("kind").ToLowerInvariant(),
            Id = Text("id"),
            Borrower = Text("borrower"),
            Lender = Text("lender"),
            Title = Field(data, columns, "title") ?? "",
            RequestedAt = When("requested_at") ?? throw new FormatException("requested_at is required"),
            FilledAt = When("filled_at"),
            Pages = Number<int>("pages"),
            Charge = Number<decimal>("charge"),
            ReceivedAt = When("received_at"),
            ReturnedAt = When("returned_at"),
            UnfilledAt = When("unfilled_at"),
            UnfilledReason = Field(data, columns, "unfilled_reason"),
        };
    }

    private static async Task Reject(TextWriter rejects, long line, string id, string reason) =>
        await rejects.WriteLineAsync($"{line},{Quote(id)},{Quote(reason)}");

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
