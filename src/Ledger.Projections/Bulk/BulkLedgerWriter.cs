using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using JasperFx.Events;
using Ledger.Projections.Funding;
using Ledger.Projections.Ledger;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Ledger.Projections.Bulk;

/// <summary>A stream the bulk writer starts: its key, the view type Marten records for it, and its events in order.</summary>
public sealed record NewStream(string Key, Type ViewType, IReadOnlyList<object> Events);

/// <summary>
/// Writes many events and everything the inline projections make of them (stream views, postings, funding entries,
/// grants' running totals, account and funding days) with PostgreSQL's binary COPY, in the caller's transaction: for
/// the history import and the rebuild, where Marten's per-row statements cost ~70 µs a row. The documents are made by the projections' own code
/// (<see cref="IStreamViewProjection"/>, <see cref="PostingProjection.Of"/>, <see cref="FundingEntryProjection.Of"/>)
/// and serialized by Marten's serializer; the rows have the columns Marten's tables have (read from the database, so
/// a column this writer cannot fill is an error, not a silent gap). The live command path does not use it.
/// </summary>
public sealed class BulkLedgerWriter
{
    private readonly ISerializer serializer;
    private readonly string schema;
    private readonly ConcurrentDictionary<Type, DocumentColumns> tables = new();
    private readonly Dictionary<string, Type> typesByName;
    private readonly IDocumentStore store;

    private readonly Audit.SealKeys? seals;

    /// <summary>A writer for the store; with seal keys, the events it starts are sealed like those of a command.</summary>
    public BulkLedgerWriter(IDocumentStore store, Audit.SealKeys? seals = null)
    {
        this.store = store;
        this.seals = seals;
        serializer = store.Options.Serializer();
        schema = store.Options.DatabaseSchemaName;
        typesByName = LedgerEvents.StoredNames.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }

    /// <summary>The document types this writer makes: every stream view, postings and funding entries (what a rebuild empties first).</summary>
    public IEnumerable<Type> DocumentTypes =>
        StreamViews.All.Select(v => v.ViewType).Append(typeof(Posting)).Append(typeof(FundingEntry)).Append(typeof(Usage.UsageMonth));

    /// <summary>Revisions of documents that have no version property (a usage month's is the last sequence folded into it).</summary>
    private readonly Dictionary<object, long> revisions = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Starts the streams with their events (sequence numbers drawn from Marten's sequence, one timestamp for all, like
    /// one Marten commit) and writes their projections. Returns the events as stored.
    /// </summary>
    public async Task<IReadOnlyList<IEvent>> StartStreams(NpgsqlConnection connection, string tenant, IReadOnlyList<NewStream> streams,
        string user, string role, DateTimeOffset at, CancellationToken ct)
    {
        // PostgreSQL keeps microseconds: the projections get the timestamp the event will read back (as StoredClock does
        // for commands), or a rebuild — and the figure check — would find every imported posting's RecordedAt different.
        at = StoredClock.ToMicroseconds(at);
        var count = streams.Sum(s => s.Events.Count);
        var sequences = new List<long>(count);
        await using (var next = new NpgsqlCommand($"select nextval('{schema}.mt_events_sequence') from generate_series(1, $1)", connection))
        {
            next.Parameters.Add(new NpgsqlParameter { Value = count });
            await using var reader = await next.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) sequences.Add(reader.GetInt64(0));
        }
        sequences.Sort();

        var stored = new List<IEvent>(count);
        var headers = new Dictionary<string, object> { [LedgerMetadata.RoleHeader] = role };
        var i = 0;
        foreach (var stream in streams)
            for (var v = 0; v < stream.Events.Count; v++)
            {
                var e = StreamViews.Wrap(stream.Events[v]);
                e.Id = Guid.NewGuid();
                e.Version = v + 1;
                e.Sequence = sequences[i++];
                e.Timestamp = at;
                e.TenantId = tenant;
                e.StreamKey = stream.Key;
                e.UserName = user;
                e.Headers = headers;
                stored.Add(e);
            }

        var utc = at.ToUniversalTime();
        await using (var copy = await connection.BeginBinaryImportAsync(
                         $"copy {schema}.mt_streams (tenant_id, id, type, version, timestamp, created) from stdin (format binary)", ct))
        {
            foreach (var stream in streams)
            {
                copy.StartRow();
                copy.Write(tenant, NpgsqlDbType.Varchar);
                copy.Write(stream.Key, NpgsqlDbType.Varchar);
                copy.Write(SnakeCase(stream.ViewType.Name), NpgsqlDbType.Varchar);
                copy.Write((long)stream.Events.Count, NpgsqlDbType.Bigint);
                copy.Write(utc, NpgsqlDbType.TimestampTz);
                copy.Write(utc, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync(ct);
        }

        var headerJson = serializer.ToJson(headers);
        // Each event's data serialized once, for its row and for its seal.
        var data = stored.Select(e => serializer.ToJson(e.Data)).ToList();
        await using (var copy = await connection.BeginBinaryImportAsync(
                         $"copy {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
                         "from stdin (format binary)", ct))
        {
            for (var k = 0; k < stored.Count; k++)
            {
                var e = stored[k];
                copy.StartRow();
                copy.Write(e.Sequence, NpgsqlDbType.Bigint);
                copy.Write(e.Id, NpgsqlDbType.Uuid);
                copy.Write(e.StreamKey!, NpgsqlDbType.Varchar);
                copy.Write(e.Version, NpgsqlDbType.Bigint);
                copy.Write(data[k], NpgsqlDbType.Jsonb);
                copy.Write(e.EventTypeName, NpgsqlDbType.Varchar);
                copy.Write(utc, NpgsqlDbType.TimestampTz);
                copy.Write(tenant, NpgsqlDbType.Varchar);
                copy.Write(e.DotNetTypeName, NpgsqlDbType.Varchar);
                copy.Write(headerJson, NpgsqlDbType.Jsonb);
                copy.Write(user, NpgsqlDbType.Varchar);
            }
            await copy.CompleteAsync(ct);
        }
        if (seals is not null)
            await Audit.EventSeals.Write(connection, null, schema, seals,
                stored.Select((e, k) => new Audit.ChainedEvent(e.Sequence, e.Id, e.StreamKey!, e.Version, e.EventTypeName, data[k], utc, tenant,
                    false, user, headerJson, null)).ToList(), ct);

        await Prepare(connection, ct);
        var projected = new Projected(this, tenant);
        var first = 0;
        foreach (var stream in streams)
        {
            projected.Stream(stored, first, stream.Events.Count);
            first += stream.Events.Count;
        }
        await projected.Write(connection, ct);
        await GrantFunds.Change(connection, schema, tenant, projected.Grants, ct);
        await AccountDays.Sums.Change(connection, schema, tenant, projected.Postings, ct);
        await FundingDays.Sums.Change(connection, schema, tenant, projected.FundingEntries, ct);
        return stored;
    }

    /// <summary>
    /// Rewrites every inline projection's documents from the stored events, in the caller's transaction on
    /// <paramref name="writer"/>: the tables are emptied, their secondary indexes dropped, refilled by COPY and the
    /// indexes built again in one pass each, so a reader waits for the commit and never sees a half-rebuilt table.
    /// Events are read on <paramref name="reader"/> in stream order (one stream's view in memory at a time) and folded
    /// on one thread while the previous chunk is copied on the other.
    /// </summary>
    public async Task<long> Rebuild(NpgsqlConnection reader, IReadOnlyList<NpgsqlConnection> writers, CancellationToken ct)
    {
        // Postings are most of the rows: one connection copies them while the other copies the rest.
        NpgsqlConnection WriterFor(Type type) => type == typeof(Posting) ? writers[0] : writers[^1];
        await Prepare(writers[0], ct);
        var indexes = new List<(NpgsqlConnection Writer, string Definition)>();
        foreach (var type in DocumentTypes)
        {
            var writer = WriterFor(type);
            await Execute(writer, $"truncate {schema}.{TableName(type)}", ct);
            var secondary = await Pairs(writer, "select indexname, indexdef from pg_indexes i where schemaname = $1 and tablename = $2 " +
                                                "and not exists (select 1 from pg_constraint c where c.conname = i.indexname)", type, ct);
            foreach (var (name, definition) in secondary)
            {
                await Execute(writer, $"drop index {schema}.{name}", ct);
                indexes.Add((writer, definition));
            }
        }

        var chunks = System.Threading.Channels.Channel.CreateBounded<Projected>(1);
        var producer = Task.Run(async () =>
        {
            try
            {
                return await Fold(reader, chunks.Writer, ct);
            }
            finally
            {
                chunks.Writer.TryComplete();
            }
        }, ct);
        await foreach (var chunk in chunks.Reader.ReadAllAsync(ct))
            await Task.WhenAll(writers.Distinct().Select(w => chunk.Write(w, type => WriterFor(type) == w, ct)));
        var (events, last, usage) = await producer;

        // The usage months, and the async daemon's progress for them: it goes on from the last event folded here.
        foreach (var tenant in usage.GroupBy(u => u.Key.Tenant))
        {
            var months = new Projected(this, tenant.Key);
            foreach (var (_, month) in tenant) months.Add(typeof(Usage.UsageMonth), month);
            await months.Write(WriterFor(typeof(Usage.UsageMonth)), ct);
        }
        await using (var progress = new NpgsqlCommand(
                         $"insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values ($1, $2, now()) " +
                         "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated",
                         WriterFor(typeof(Usage.UsageMonth))))
        {
            progress.Parameters.Add(new NpgsqlParameter { Value = Usage.UsageQueries.Shard });
            progress.Parameters.Add(new NpgsqlParameter { Value = last });
            await progress.ExecuteNonQueryAsync(ct);
        }

        await Task.WhenAll(indexes.GroupBy(i => i.Writer).Select(async group =>
        {
            foreach (var (writer, definition) in group) await Execute(writer, definition, ct);
        }));
        return events;
    }

    private async Task<(long Events, long LastSequence, Dictionary<(string Tenant, string Key), Usage.UsageMonth> Usage)> Fold(
        NpgsqlConnection reader, System.Threading.Channels.ChannelWriter<Projected> chunks, CancellationToken ct)
    {
        const int chunkRows = 20_000;
        long events = 0, last = 0;
        // The usage months (the async projection) are few: folded here too, with the same rules, whole in memory.
        var usage = new Dictionary<(string Tenant, string Key), Usage.UsageMonth>();
        Projected? projected = null;
        var stream = new List<IEvent>();
        await using var read = new NpgsqlCommand(
            "select seq_id, id, stream_id, version, data, type, timestamp, tenant_id, headers, user_name " +
            $"from {schema}.mt_events where not is_archived order by tenant_id, stream_id, version", reader);
        await using var rows = await read.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            // Marten's tombstones (under the sequence numbers of failed appends) are no events of the ledger; the daemon
            // still goes on from past them.
            if (Audit.AuditChain.IsTombstone(rows.GetString(5), rows.GetString(2)))
            {
                last = Math.Max(last, rows.GetInt64(0));
                continue;
            }
            var e = Read(rows);
            if (stream.Count > 0 && (e.StreamKey != stream[0].StreamKey || e.TenantId != stream[0].TenantId))
            {
                projected!.Stream(stream, 0, stream.Count);
                stream.Clear();
            }
            if (stream.Count == 0 && (projected is null || projected.TenantId != e.TenantId || projected.Count >= chunkRows))
            {
                if (projected is not null) await chunks.WriteAsync(projected, ct);
                projected = new Projected(this, e.TenantId);
            }
            stream.Add(e);
            events++;
            last = Math.Max(last, e.Sequence);
            foreach (var key in Usage.UsageProjection.KeysOf(e.Data))
            {
                if (!usage.TryGetValue((e.TenantId, key), out var month)) usage[(e.TenantId, key)] = month = Usage.UsageProjection.New(key);
                Usage.UsageRules.Apply(month, e.Data);
                revisions[month] = Math.Max(revisions.GetValueOrDefault(month), e.Sequence);
            }
        }
        if (stream.Count > 0) projected!.Stream(stream, 0, stream.Count);
        if (projected is not null) await chunks.WriteAsync(projected, ct);
        return (events, last, usage);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private IEvent Read(NpgsqlDataReader row)
    {
        var typeName = row.GetString(5);
        var type = typesByName.TryGetValue(typeName, out var t) ? t : throw new InvalidOperationException($"unknown stored event type {typeName}");
        var data = serializer.FromJson(type, row.GetStream(4));
        var e = StreamViews.Wrap(data);
        e.Sequence = row.GetInt64(0);
        e.Id = row.GetGuid(1);
        e.StreamKey = row.GetString(2);
        e.Version = row.GetInt64(3);
        e.Timestamp = row.GetFieldValue<DateTimeOffset>(6);
        e.TenantId = row.GetString(7);
        e.Headers = row.IsDBNull(8) ? null : (Dictionary<string, object>)serializer.FromJson(typeof(Dictionary<string, object>), row.GetStream(8));
        e.UserName = row.IsDBNull(9) ? null : row.GetString(9);
        return e;
    }

    /// <summary>
    /// What the inline projections make of a set of streams of one tenant, as rows ready for one COPY per table
    /// (serialized where they are made, so the thread that copies only writes).
    /// </summary>
    private sealed class Projected(BulkLedgerWriter writer, string tenant)
    {
        private readonly Dictionary<Type, List<object?[]>> rows = new();

        public string TenantId => tenant;
        public int Count { get; private set; }
        public Dictionary<string, long> Grants { get; } = new(StringComparer.Ordinal);
        public List<Posting> Postings { get; } = [];
        public List<FundingEntry> FundingEntries { get; } = [];

        public void Stream(IReadOnlyList<IEvent> events, int first, int count)
        {
            var key = events[first].StreamKey!;
            foreach (var projection in StreamViews.All)
            {
                object? view = null;
                for (var i = first; i < first + count; i++)
                    if (projection.Folds(events[i].Data)) view = projection.Fold(view, key, events[i]);
                if (view is not null) Add(projection.ViewType, view);
            }
            for (var i = first; i < first + count; i++)
            {
                foreach (var posting in PostingProjection.Of(events[i]))
                {
                    Add(typeof(Posting), posting);
                    Postings.Add(posting);
                }
                foreach (var entry in FundingEntryProjection.Of(events[i]))
                {
                    Add(typeof(FundingEntry), entry);
                    FundingEntries.Add(entry);
                    Grants[entry.SubProject] = Grants.GetValueOrDefault(entry.SubProject) + entry.SignedFen;
                }
            }
        }

        public void Add(Type type, object document)
        {
            if (!rows.TryGetValue(type, out var list)) rows[type] = list = [];
            var columns = writer.tables[type].Columns;
            var row = new object?[columns.Count];
            for (var c = 0; c < columns.Count; c++) row[c] = columns[c].Value(document, tenant) ?? DBNull.Value;
            list.Add(row);
            Count++;
        }

        public Task Write(NpgsqlConnection connection, CancellationToken ct) => Write(connection, _ => true, ct);

        public async Task Write(NpgsqlConnection connection, Func<Type, bool> tables, CancellationToken ct)
        {
            foreach (var (type, list) in rows.Where(r => tables(r.Key)))
            {
                var table = writer.tables[type];
                await using var copy = await connection.BeginBinaryImportAsync(table.Copy, ct);
                foreach (var row in list)
                {
                    // Synchronous writes: Npgsql buffers them, and the async form costs a state machine per value.
                    copy.StartRow();
                    for (var c = 0; c < row.Length; c++) copy.Write(row[c], table.Columns[c].Type);
                }
                await copy.CompleteAsync(ct);
            }
        }
    }

    /// <summary>Reads each document table's columns once (before any COPY, so the folding thread never queries).</summary>
    private async Task Prepare(NpgsqlConnection connection, CancellationToken ct)
    {
        foreach (var type in DocumentTypes)
            if (!tables.ContainsKey(type)) tables[type] = await Columns(connection, type, ct);
    }

    private sealed record Column(string Name, NpgsqlDbType Type, Func<object, string, object?> Value);

    private sealed record DocumentColumns(string Copy, IReadOnlyList<Column> Columns);

    /// <summary>The document table as Marten maps it (a versioned projection's documents live in mt_doc_name_N).</summary>
    public string TableName(Type type) => store.Options.Schema.For(type, qualified: false);

    /// <summary>A catalogue query about a document's table ($1 schema, $2 table) answering two text columns a row.</summary>
    private async Task<List<(string, string)>> Pairs(NpgsqlConnection connection, string sql, Type type, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        command.Parameters.Add(new NpgsqlParameter { Value = TableName(type) });
        var found = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetString(1)));
        return found;
    }

    /// <summary>The document table's columns as the database has them, each with how to fill it from a document.</summary>
    private async Task<DocumentColumns> Columns(NpgsqlConnection connection, Type type, CancellationToken ct)
    {
        var columns = new List<Column>();
        var found = await Pairs(connection,
            "select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position", type, ct);
        if (found.Count == 0) throw new InvalidOperationException($"{schema}.{TableName(type)} does not exist: apply the schema first");

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => SnakeCase(p.Name), StringComparer.Ordinal);
        var dotnetType = type.FullName!;
        foreach (var (name, dataType) in found)
        {
            var dbType = dataType switch
            {
                "character varying" or "text" => NpgsqlDbType.Varchar,
                "jsonb" => NpgsqlDbType.Jsonb,
                "bigint" => NpgsqlDbType.Bigint,
                "integer" => NpgsqlDbType.Integer,
                "date" => NpgsqlDbType.Date,
                "timestamp with time zone" => NpgsqlDbType.TimestampTz,
                "uuid" => NpgsqlDbType.Uuid,
                "boolean" => NpgsqlDbType.Boolean,
                _ => throw new InvalidOperationException($"{TableName(type)}.{name} has type {dataType}, which the bulk writer cannot fill"),
            };
            Func<object, string, object?>? value = name switch
            {
                "tenant_id" => (_, tenant) => tenant,
                "data" => (d, _) => serializer.ToJson(d),
                "mt_dotnet_type" => (_, _) => dotnetType,
                "mt_last_modified" => null, // the table's default: the transaction's time, as Marten writes it
                "mt_version" when dbType == NpgsqlDbType.Uuid => null, // a fresh version by the table's default
                // A stream view's revision is its stream version; a usage month's the last sequence folded into it.
                "mt_version" => (d, _) => revisions.TryGetValue(d, out var revision) ? revision
                    : properties.TryGetValue("version", out var version) ? version.GetValue(d)
                    : throw new InvalidOperationException($"{type.Name} has no revision for mt_version"),
                _ when properties.TryGetValue(name, out var p) => (d, _) => Value(p.GetValue(d)),
                _ => throw new InvalidOperationException($"{TableName(type)}.{name} matches no property of {type.Name}"),
            };
            if (value is not null) columns.Add(new Column(name, dbType, value));
        }
        return new DocumentColumns(
            $"copy {schema}.{TableName(type)} ({string.Join(", ", columns.Select(c => c.Name))}) from stdin (format binary)", columns);
    }

    private static object? Value(object? value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture), // Marten stores enums as integers
        _ => value,
    };

    /// <summary>Marten's column and alias naming: AmountFen → amount_fen, LoanView → loan_view.</summary>
    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
