using System.Net;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;
using Ledger.Projections.Audit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.Api.Tests.Audit;

/// <summary>
/// The hash chain on the real store: it covers every event, an auditor can read its head, and changing or deleting a
/// stored event directly in PostgreSQL is found at exactly that sequence.
/// </summary>
public class AuditChainTests(LedgerApp<AuditChainTests> app) : IClassFixture<LedgerApp<AuditChainTests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;
    private string Events => $"{LedgerApp<AuditChainTests>.Schema}.mt_events";
    private AuditChainWriter Chain => app.Services.GetRequiredService<AuditChains>().For(TestAlliance.Code);
    private readonly HttpClient auditor = app.As(Roles.Auditor);

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        var finance = app.As(Roles.FinanceOfficer);
        for (var i = 0; i < 5; i++)
        {
            (await finance.Post($"{A}/loans", new { loanId = $"A{i}", borrower = "XZMU", lender = "NJU", title = $"Book {i}", at = "2026-10-12T08:30:00+08:00" })).EnsureSuccessStatusCode();
            (await finance.Post($"{A}/loans/A{i}/shipped", new { at = "2026-10-13T08:30:00+08:00" })).EnsureSuccessStatusCode();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(LedgerApp<AuditChainTests>.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private async Task<System.Text.Json.JsonElement> Verification() => await (await auditor.GetAsync("/api/audit/verification")).Json();

    [Fact]
    public async Task the_chain_covers_every_event_and_its_head_and_links_are_what_an_auditor_reads()
    {
        var head = await Chain.CatchUp(CancellationToken.None);
        head.Sequence.ShouldBe(await Scalar($"select max(seq_id) from {Events}"));
        var digest = await (await auditor.GetAsync("/api/audit/digest")).Json();
        digest.GetProperty("sequence").GetInt64().ShouldBeGreaterThanOrEqualTo(head.Sequence);
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();

        var sequence = await Scalar($"select max(seq_id) from {Events} where type = 'v1.loan_shipped'");
        var finance = app.As(Roles.FinanceOfficer);
        var e = await (await finance.GetAsync($"{A}/events/{sequence}")).Json();
        e.GetProperty("eventType").GetString().ShouldBe("v1.loan_shipped");
        e.GetProperty("recordedByRole").GetString().ShouldBe(Roles.FinanceOfficer);
        e.GetProperty("chain").GetProperty("hash").GetString().ShouldBe((await Chain.At(sequence, CancellationToken.None))!.Hash);
        var byId = await (await finance.GetAsync($"{A}/events/by-id/{e.GetProperty("eventId").GetGuid()}")).Json();
        byId.GetProperty("sequence").GetInt64().ShouldBe(sequence);
        // A member reads the events behind its own postings (NJU lent the book) and no others (SEU took no part).
        (await app.As(Roles.Member, member: "NJU").GetAsync($"{A}/events/{sequence}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.As(Roles.Member, member: "SEU").GetAsync($"{A}/events/{sequence}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await finance.GetAsync($"{A}/events/999999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task changing_one_stored_event_is_named_by_verification_and_undoing_the_change_restores_the_chain()
    {
        await Chain.CatchUp(CancellationToken.None);
        var target = await Scalar($"select min(seq_id) from {Events} where type = 'v1.loan_requested'");
        await Scalar($"update {Events} set data = jsonb_set(data, '{{Title}}', '\"Altered title\"') where seq_id = {target}; select 1");
        var broken = await Verification();
        broken.GetProperty("intact").GetBoolean().ShouldBeFalse();
        broken.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(target);

        await Scalar($"update {Events} set data = jsonb_set(data, '{{Title}}', '\"Book 0\"') where seq_id = {target}; select 1");
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task deleting_one_stored_event_is_named_by_verification_and_putting_it_back_restores_the_chain()
    {
        await Chain.CatchUp(CancellationToken.None);
        var target = await Scalar($"select max(seq_id) from {Events} where type = 'v1.loan_shipped'");
        var backup = $"{LedgerApp<AuditChainTests>.Schema}.deleted_event";
        await Scalar($"drop table if exists {backup}; create table {backup} as select * from {Events} where seq_id = {target}; delete from {Events} where seq_id = {target}; select 1");
        var broken = await Verification();
        broken.GetProperty("intact").GetBoolean().ShouldBeFalse();
        broken.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(target);
        broken.GetProperty("problem").GetString()!.ShouldContain("missing");

        // Putting it back (the other tests of the class share the store) restores the chain.
        await Scalar($"insert into {Events} select * from {backup}; drop table {backup}; select 1");
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task the_chain_waits_for_a_transaction_holding_the_newest_id_before_it_passes_its_sequences()
    {
        // A command that has taken its transaction id (the newest one) and may still take sequence numbers and commit.
        await using var command = new NpgsqlConnection(LedgerApp<AuditChainTests>.ConnectionString);
        await command.OpenAsync();
        await using var tx = await command.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("select pg_current_xact_id()", command, tx)) await take.ExecuteScalarAsync();

        var settled = Chain.SafeHighWater(CancellationToken.None);
        await Task.WhenAny(settled, Task.Delay(TimeSpan.FromMilliseconds(700)));
        settled.IsCompleted.ShouldBeFalse("the chain must not pass sequences a running command may still commit");
        await tx.CommitAsync();
        (await settled.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(await Scalar($"select max(seq_id) from {Events}"));
    }

    [Fact]
    public async Task tombstones_under_failed_appends_are_never_chained_never_an_alarm_and_never_shown_as_events()
    {
        // A sequence number taken by an append that then failed; later events are recorded and chained past it, and
        // only then does Marten's tombstone land under it (as it does after a conflict or a lost connection).
        var failed = await Scalar($"select nextval('{LedgerApp<AuditChainTests>.Schema}.mt_events_sequence')");
        (await app.As(Roles.FinanceOfficer).Post($"{A}/payments", new { paymentId = "TOMB-1", member = "NJU", direction = "member-to-centre", amount = 5m, paidOn = "2026-10-20", bankReference = "B-1" }))
            .EnsureSuccessStatusCode();
        var head = await Chain.CatchUp(CancellationToken.None);
        head.Sequence.ShouldBeGreaterThan(failed);
        await Scalar($"insert into {LedgerApp<AuditChainTests>.Schema}.mt_streams (id, tenant_id, version) values ('mt_tombstone', 'TST', 0) on conflict do nothing; " +
                     $"insert into {Events} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id) " +
                     $"values ({failed}, gen_random_uuid(), 'mt_tombstone', {failed}, '{{}}', 'tombstone', '-infinity', 'TST'); select 1");

        var verification = await Verification();
        verification.GetProperty("intact").GetBoolean().ShouldBeTrue(verification.GetRawText());
        (await Chain.CatchUp(CancellationToken.None)).ShouldBe(await Chain.Head(CancellationToken.None));
        (await Scalar($"select count(*) from {LedgerApp<AuditChainTests>.Schema}.{AuditChain.TableName} where seq = {failed}")).ShouldBe(0);
        (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/events/{failed}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // A chained business event turned into a tombstone is named, not skipped.
        var payment = await Scalar($"select max(seq_id) from {Events} where type = 'v1.payment_recorded'");
        await Scalar($"update {Events} set type = 'tombstone', stream_id = 'mt_tombstone' where seq_id = {payment}; select 1");
        var hidden = await Verification();
        hidden.GetProperty("intact").GetBoolean().ShouldBeFalse();
        hidden.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(payment);
        await Scalar($"update {Events} set type = 'v1.payment_recorded', stream_id = 'payment:TOMB-1' where seq_id = {payment}; select 1");
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("archived", "is_archived = true")]
    [InlineData("user", "user_name = 'someone-else'")]
    [InlineData("headers", "headers = jsonb_set(headers, '{recorded-by-role}', '\"auditor\"')")]
    [InlineData("correlation", "correlation_id = 'another-trace'")]
    [InlineData("timestamp", "timestamp = timestamp - interval '1 day'")]
    [InlineData("type", "type = 'v1.loan_cancelled'")]
    [InlineData("data", "data = jsonb_set(data, '{Title}', '\"Altered\"')")]
    public async Task a_change_to_any_field_that_gives_an_event_its_meaning_is_named_with_the_field(string field, string change)
    {
        await Chain.CatchUp(CancellationToken.None);
        var target = await Scalar($"select min(seq_id) from {Events} where type = 'v1.loan_requested'");
        var backup = $"{LedgerApp<AuditChainTests>.Schema}.changed_event";
        await Scalar($"drop table if exists {backup}; create table {backup} as select * from {Events} where seq_id = {target}; " +
                     $"update {Events} set {change} where seq_id = {target}; select 1");
        try
        {
            var broken = await Verification();
            broken.GetProperty("intact").GetBoolean().ShouldBeFalse();
            broken.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(target);
            broken.GetProperty("differs").EnumerateArray().Select(d => d.GetString()).ShouldBe([field]);
        }
        finally
        {
            await Scalar($"delete from {Events} where seq_id = {target}; insert into {Events} select * from {backup}; drop table {backup}; select 1");
        }
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    private string Seals => $"{LedgerApp<AuditChainTests>.Schema}.{EventSeals.TableName}";

    private string Links => $"{LedgerApp<AuditChainTests>.Schema}.{AuditChain.TableName}";

    [Fact]
    public async Task a_row_forged_at_the_tail_is_chained_by_the_writer_but_named_for_its_missing_seal()
    {
        await Chain.CatchUp(CancellationToken.None);
        var model = await Scalar($"select max(seq_id) from {Events} where type = 'v1.payment_recorded' or type = 'v1.loan_requested'");
        var forged = await Scalar($"insert into {Events} (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
                                  $"select nextval('{LedgerApp<AuditChainTests>.Schema}.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1000, data, type, " +
                                  $"timestamp, tenant_id, mt_dotnet_type, headers, user_name from {Events} where seq_id = {model} returning seq_id");
        try
        {
            (await Chain.CatchUp(CancellationToken.None)).Sequence.ShouldBe(forged); // the writer cannot tell it apart…
            var verification = await Verification();
            verification.GetProperty("intact").GetBoolean().ShouldBeFalse(); // …the seal can
            verification.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(forged);
            verification.GetProperty("problem").GetString()!.ShouldContain("no seal");
        }
        finally
        {
            await Scalar($"delete from {Links} where seq = {forged}; delete from {Events} where seq_id = {forged}; select 1");
        }
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task an_edit_with_the_chain_recomputed_after_it_is_still_named_by_the_seal()
    {
        await Chain.CatchUp(CancellationToken.None);
        var target = await Scalar($"select min(seq_id) from {Events} where type = 'v1.loan_shipped'");
        var backup = $"{LedgerApp<AuditChainTests>.Schema}.resealed_event";
        var links = $"{LedgerApp<AuditChainTests>.Schema}.resealed_links";
        // Someone with database access edits an event and rebuilds the chain from there (SHA-256 needs no key).
        await Scalar($"drop table if exists {backup}; drop table if exists {links}; create table {backup} as select * from {Events} where seq_id = {target}; " +
                     $"create table {links} as select * from {Links} where seq >= {target}; delete from {Links} where seq >= {target}; " +
                     $"update {Events} set user_name = 'someone-else' where seq_id = {target}; select 1");
        try
        {
            await Chain.CatchUp(CancellationToken.None);
            var verification = await Verification();
            verification.GetProperty("intact").GetBoolean().ShouldBeFalse();
            verification.GetProperty("firstMismatchSequence").GetInt64().ShouldBe(target);
            verification.GetProperty("problem").GetString()!.ShouldContain("sealed");
        }
        finally
        {
            await Scalar($"delete from {Events} where seq_id = {target}; insert into {Events} select * from {backup}; delete from {Links} where seq >= {target}; " +
                         $"insert into {Links} select * from {links}; drop table {backup}; drop table {links}; select 1");
        }
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task a_ledger_recorded_before_sealing_is_sealed_once_by_the_operator_and_an_emptied_seal_table_is_an_alarm()
    {
        await Chain.CatchUp(CancellationToken.None);
        var backup = $"{LedgerApp<AuditChainTests>.Schema}.seals_backup";
        await Scalar($"drop table if exists {backup}; create table {backup} as select * from {Seals}; delete from {Seals}; select 1");
        try
        {
            // Emptied (or never begun): not intact, and the host does not begin sealing again by itself.
            var verification = await Verification();
            verification.GetProperty("intact").GetBoolean().ShouldBeFalse();
            verification.GetProperty("problem").GetString()!.ShouldContain("sealing has not begun");
            await Chain.BeginSealing(CancellationToken.None);
            (await Scalar($"select count(*) from {Seals}")).ShouldBe(0);

            (await Chain.SealExisting(CancellationToken.None)).ShouldBe(await Scalar($"select count(*) from {Events} e where {AuditChain.BusinessEventFilter}"));
            (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
        }
        finally
        {
            await Scalar($"delete from {Seals}; insert into {Seals} select * from {backup}; drop table {backup}; select 1");
        }
        (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task a_checkpoint_the_auditor_keeps_proves_the_ledger_unchanged_even_against_a_rewrite_with_the_database_and_the_key()
    {
        var issued = await auditor.PostAsync("/api/audit/checkpoints", null);
        issued.StatusCode.ShouldBe(HttpStatusCode.OK);
        issued.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var receipt = await issued.Content.ReadAsStringAsync();
        var checkpoint = System.Text.Json.JsonDocument.Parse(receipt).RootElement;
        checkpoint.GetProperty("sequence").GetInt64().ShouldBe((await Chain.Head(CancellationToken.None)).Sequence);
        (await (await auditor.GetAsync("/api/audit/checkpoints")).Json()).EnumerateArray()
            .ShouldContain(c => c.GetProperty("signature").GetString() == checkpoint.GetProperty("signature").GetString());

        async Task<System.Text.Json.JsonElement> Against(string body) => await (await auditor.PostRaw("/api/audit/verification", body)).Json();
        var fine = await Against(receipt);
        fine.GetProperty("intact").GetBoolean().ShouldBeTrue(fine.GetRawText());
        fine.GetProperty("checkpointMatches").GetBoolean().ShouldBeTrue();
        var forgedReceipt = receipt.Replace(checkpoint.GetProperty("hash").GetString()!, new string('0', 64), StringComparison.Ordinal);
        (await Against(forgedReceipt)).GetProperty("problem").GetString()!.ShouldContain("not signed by this ledger");

        // Someone holding the database and the seal key edits an event, re-seals it and rebuilds the chain after it:
        // the ledger verifies intact on its own, and only the auditor's checkpoint shows the change.
        var target = await Scalar($"select min(seq_id) from {Events} where type = 'v1.loan_requested'");
        var events = $"{LedgerApp<AuditChainTests>.Schema}.rewritten_events";
        var links = $"{LedgerApp<AuditChainTests>.Schema}.rewritten_links";
        var seals = $"{LedgerApp<AuditChainTests>.Schema}.rewritten_seals";
        await Scalar($"drop table if exists {events}; drop table if exists {links}; drop table if exists {seals}; " +
                     $"create table {events} as select * from {Events} where seq_id = {target}; create table {links} as select * from {Links} where seq >= {target}; " +
                     $"create table {seals} as select * from {Seals} where seq = {target}; " +
                     $"update {Events} set data = jsonb_set(data, '{{Title}}', '\"Rewritten\"') where seq_id = {target}; " +
                     $"delete from {Seals} where seq = {target}; delete from {Links} where seq >= {target}; select 1");
        try
        {
            await Chain.SealExisting(CancellationToken.None);
            await Chain.CatchUp(CancellationToken.None);
            (await Verification()).GetProperty("intact").GetBoolean().ShouldBeTrue();
            var caught = await Against(receipt);
            caught.GetProperty("intact").GetBoolean().ShouldBeFalse();
            caught.GetProperty("checkpointMatches").GetBoolean().ShouldBeFalse();
            caught.GetProperty("problem").GetString()!.ShouldContain("no longer give its hash");
        }
        finally
        {
            await Scalar($"delete from {Events} where seq_id = {target}; insert into {Events} select * from {events}; " +
                         $"delete from {Links} where seq >= {target}; insert into {Links} select * from {links}; " +
                         $"delete from {Seals} where seq = {target}; insert into {Seals} select * from {seals}; " +
                         $"drop table {events}; drop table {links}; drop table {seals}; select 1");
        }
        (await Against(receipt)).GetProperty("checkpointMatches").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("grant_funds", "available_fen = available_fen + 100", "sub_project = 'JALIS-IV-SUB'", "TST|JALIS-IV-SUB", "available_fen")]
    [InlineData("mt_doc_posting", "data = jsonb_set(data, '{AmountFen}', to_jsonb((data->>'AmountFen')::bigint + 1))",
        "id = (select min(id) from {0}.mt_doc_posting where data->>'EventType' = 'v1.loan_shipped')", null, "data.AmountFen")]
    [InlineData("account_days", "amount_fen = amount_fen + 1", "account = 'member:NJU'", null, "amount_fen")]
    public async Task figures_edited_in_a_read_model_are_named_by_the_figure_check_with_table_key_and_column(string table, string change, string where,
        string? key, string column)
    {
        var schema = LedgerApp<AuditChainTests>.Schema;
        var clean = await (await auditor.GetAsync("/api/audit/verification?figures=true")).Json();
        clean.GetProperty("intact").GetBoolean().ShouldBeTrue(clean.GetRawText());
        var compared = clean.GetProperty("figures").GetProperty("compared").EnumerateArray().Select(c => c.GetString()).ToList();
        compared.ShouldContain("mt_doc_posting");
        compared.ShouldContain("grant_funds");

        var condition = string.Format(System.Globalization.CultureInfo.InvariantCulture, where, schema);
        var backup = $"{schema}.figures_backup";
        await Scalar($"drop table if exists {backup}; create table {backup} as select * from {schema}.{table} where {condition}; " +
                     $"update {schema}.{table} set {change} where {condition}; select 1");
        try
        {
            var found = await (await auditor.GetAsync("/api/audit/verification?figures=true")).Json();
            found.GetProperty("intact").GetBoolean().ShouldBeFalse();
            var figures = found.GetProperty("figures");
            figures.GetProperty("table").GetString().ShouldBe(table);
            if (key is not null) figures.GetProperty("key").GetString().ShouldBe(key);
            figures.GetProperty("column").GetString().ShouldBe(column);
        }
        finally
        {
            await Scalar($"delete from {schema}.{table} where {condition}; insert into {schema}.{table} select * from {backup}; drop table {backup}; select 1");
        }
        (await (await auditor.GetAsync("/api/audit/verification?figures=true")).Json()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }
}
