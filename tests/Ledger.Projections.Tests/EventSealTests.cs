using System.Security.Cryptography;
using Ledger.Projections.Audit;

namespace Ledger.Projections.Tests;

/// <summary>Seals without a database: what they cover, JSON in one form whoever wrote it, and keys that rotate.</summary>
public sealed class EventSealTests
{
    private static readonly ChainedEvent Event = new(42, Guid.Parse("0b5e8f1e-64a0-4c55-9a57-1d5c0f0d7c11"), "loan:L1", 2, "v1.loan_shipped",
        """{"LoanId":"L1","Charge":{"FeeFen":4000,"Rate":12.50},"Title":"哈里森"}""", new DateTimeOffset(2026, 10, 13, 1, 0, 0, TimeSpan.Zero), "TST",
        false, "fo", """{"recorded-by-role":"finance-officer"}""", "trace-1");

    private static SealKey Key() => SealKey.Of(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void the_json_jsonb_prints_and_the_json_dotnet_wrote_seal_alike()
    {
        // jsonb sorts keys by length, puts a space after ':' and ',' and prints non-ASCII as it is; .NET escapes it.
        var jsonb = Event with { Data = """{"Title": "哈里森", "Charge": {"Rate": 12.50, "FeeFen": 4000}, "LoanId": "L1"}""", Headers = """{"recorded-by-role": "finance-officer"}""" };
        var dotnet = Event with { Data = """{"LoanId":"L1","Charge":{"FeeFen":4000,"Rate":12.50},"Title":"\u54C8\u91CC\u68EE"}""" };
        var key = Key();
        EventSeals.Mac(key, jsonb).ShouldBe(EventSeals.Mac(key, Event));
        EventSeals.Mac(key, dotnet).ShouldBe(EventSeals.Mac(key, Event));
        EventSeals.Json.Normalise("""{"n": 1E+2}""").ShouldBe(EventSeals.Json.Normalise("""{"n":100}"""));
    }

    [Theory]
    [InlineData("data")]
    [InlineData("user")]
    [InlineData("headers")]
    [InlineData("archived")]
    [InlineData("timestamp")]
    [InlineData("sequence")]
    public void a_change_to_any_covered_field_breaks_the_seal(string field)
    {
        var key = Key();
        var changed = field switch
        {
            "data" => Event with { Data = Event.Data.Replace("4000", "4001", StringComparison.Ordinal) },
            "user" => Event with { User = "someone" },
            "headers" => Event with { Headers = """{"recorded-by-role":"auditor"}""" },
            "archived" => Event with { Archived = true },
            "timestamp" => Event with { Timestamp = Event.Timestamp.AddTicks(10) },
            _ => Event with { Sequence = 43 },
        };
        EventSeals.Mac(key, changed).ShouldNotBe(EventSeals.Mac(key, Event));
    }

    [Fact]
    public void after_a_rotation_the_new_key_seals_and_the_old_key_still_verifies_its_seals()
    {
        var old = Key();
        var sealedBefore = EventSeals.Mac(old, Event);
        var rotated = new SealKeys(Key(), [old]);
        rotated.Current.Id.ShouldNotBe(old.Id);
        EventSeals.Mac(rotated.Find(old.Id)!, Event).ShouldBe(sealedBefore);
        rotated.Find("0000000000000000").ShouldBeNull();
        Should.Throw<InvalidOperationException>(() => SealKey.Of(new byte[16])); // shorter than 256 bits
    }
}
