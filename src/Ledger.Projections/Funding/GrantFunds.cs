using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Funding;

/// <summary>
/// Each sub-project's available funds as a running total, kept by the inline funding projection in the same
/// transaction as the events. The CHECK constraint makes an overspend impossible at the database: a command that
/// decided on funds another command has spent meanwhile fails at commit and is decided again.
/// </summary>
public static class GrantFunds
{
    public const string TableName = "grant_funds";
    public const string NotNegative = "grant_funds_not_negative";

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // see AuditChain.Schema
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn("tenant_id", "varchar").AsPrimaryKey();
        table.AddColumn("sub_project", "varchar").AsPrimaryKey();
        table.AddColumn<long>("available_fen").NotNull();
        table.CheckConstraints.Add(new Weasel.Core.TableCheckConstraint(NotNegative, "available_fen >= 0"));
        return table;
    }

    /// <summary>Adds a signed amount to a sub-project's running total, in the batch that stores the events.</summary>
    public static void Change(IDocumentOperations operations, string tenant, string subProject, long signedFen)
    {
        // Not INSERT … ON CONFLICT: PostgreSQL checks the CHECK constraint on the row proposed for insertion, so a spend
        // (negative) would fail even where it only updates. Update first; insert only the first movement of a sub-project.
        var table = $"{operations.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        operations.QueueSqlCommand(
            $"with changed as (update {table} set available_fen = available_fen + ? where tenant_id = ? and sub_project = ? returning 1) " +
            $"insert into {table} (tenant_id, sub_project, available_fen) select ?, ?, ? where not exists (select 1 from changed)",
            signedFen, tenant, subProject, tenant, subProject, signedFen);
    }

    /// <summary>The same for many sub-projects at once, on a connection in the caller's transaction (the bulk writer).</summary>
    public static async Task Change(Npgsql.NpgsqlConnection connection, string schema, string tenant, IReadOnlyDictionary<string, long> signedFen,
        CancellationToken ct)
    {
        if (signedFen.Count == 0) return;
        var table = $"{schema}.{TableName}";
        await using var command = new Npgsql.NpgsqlCommand(
            "with d as (select * from unnest($2::varchar[], $3::bigint[]) as d(sub_project, fen)), " +
            $"changed as (update {table} g set available_fen = g.available_fen + d.fen from d where g.tenant_id = $1 and g.sub_project = d.sub_project returning g.sub_project) " +
            $"insert into {table} (tenant_id, sub_project, available_fen) select $1, d.sub_project, d.fen from d where d.sub_project not in (select sub_project from changed)",
            connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = signedFen.Keys.ToArray() });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = signedFen.Values.ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>True when a save failed because it would have spent more than a sub-project had (decided on a stale figure).</summary>
    public static bool IsOverspend(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CheckViolation, ConstraintName: NotNegative }) return true;
        return false;
    }

    /// <summary>Sets every running total of the store from the funding entries (after a rebuild of the funding projection).</summary>
    public static async Task Recompute(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await LedgerStore.InEachDatabase(store, session =>
        {
            session.QueueSqlCommand($"delete from {schema}.{TableName}");
            session.QueueSqlCommand(
                $"insert into {schema}.{TableName} (tenant_id, sub_project, available_fen) " +
                $"select tenant_id, sub_project, sum(signed_fen) from {schema}.mt_doc_fundingentry group by tenant_id, sub_project");
            return Task.CompletedTask;
        }, ct);
    }

    /// <summary>
    /// Fills the running totals from the funding entries when the table is empty but entries exist: a ledger that
    /// recorded funds before the table existed gets its totals on the first start. Run before serving.
    /// </summary>
    public static async Task InitialiseIfEmpty(IDocumentStore store, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await LedgerStore.InEachDatabase(store, session =>
        {
            session.QueueSqlCommand(
                $"insert into {schema}.{TableName} (tenant_id, sub_project, available_fen) " +
                $"select tenant_id, sub_project, sum(signed_fen) from {schema}.mt_doc_fundingentry " +
                $"where not exists (select 1 from {schema}.{TableName}) group by tenant_id, sub_project on conflict do nothing");
            return Task.CompletedTask;
        }, ct);
    }
}

/// <summary>
/// Funding entries summed per sub-project, kind, line, purchase, fiscal year and business date: the funding report for
/// what is known now reads these few rows instead of every subsidised request.
/// </summary>
public static class FundingDays
{
    public const string TableName = "funding_days";

    public static readonly DaySums<FundingEntry> Sums = new(TableName, "mt_doc_fundingentry",
        [
            new("sub_project", "varchar", e => e.SubProject), new("kind", "integer", e => (int)e.Kind), new("line", "varchar", e => e.Line),
            new("purchase_id", "varchar", e => e.PurchaseId), new("fiscal_year", "integer", e => e.FiscalYear),
            new("business_date", "date", e => e.BusinessDate),
        ],
        [
            new("signed_fen", "bigint", e => e.SignedFen), new("amount_fen", "bigint", e => e.AmountFen),
            new("subsidised_requests", "bigint", e => e.SubsidisedRequests), new("subsidised_pages", "bigint", e => e.SubsidisedPages),
            new("subsidy_fen", "bigint", e => e.SubsidyFen), new("reward_fen", "bigint", e => e.RewardFen),
        ]);
}
