using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Ledger.Projections.Audit;

/// <summary>
/// A chain head as the ledger issued it: database, sequence, hash, when, and a signature (HMAC-SHA256 under the seal
/// key, named by its id). An auditor keeps it outside the system; verification against it recomputes the chain from
/// the stored events up to that sequence and compares the hash, which nobody can make match after changing, deleting,
/// reordering or slipping in anything up to it — not even someone who later holds the database and the key.
/// </summary>
public sealed record Checkpoint(string Database, long Sequence, string Hash, DateTimeOffset IssuedAt, string KeyId, string Signature)
{
    public const string TableName = "audit_checkpoints";

    public static Table Schema(string schema)
    {
#pragma warning disable CS0618 // see AuditChain.Schema
        var table = new Table(new PostgresqlObjectName(schema, TableName));
#pragma warning restore CS0618
        table.AddColumn<long>("seq").AsPrimaryKey();
        table.AddColumn("issued_at", "timestamptz").AsPrimaryKey();
        table.AddColumn("hash", "text").NotNull();
        table.AddColumn("key_id", "text").NotNull();
        table.AddColumn("signature", "text").NotNull();
        return table;
    }

    private static string Text(string database, long sequence, string hash, DateTimeOffset issuedAt) =>
        $"alliance-ledger/checkpoint/{database}/{sequence.ToString(CultureInfo.InvariantCulture)}/{hash}/" +
        issuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static Checkpoint Sign(SealKey key, string database, ChainHead head, DateTimeOffset issuedAt)
    {
        var at = StoredClock.ToMicroseconds(issuedAt).ToUniversalTime();
        return new Checkpoint(database, head.Sequence, head.Hash, at, key.Id,
            AuditChain.Hex(HMACSHA256.HashData(key.Secret, Encoding.UTF8.GetBytes(Text(database, head.Sequence, head.Hash, at)))));
    }

    /// <summary>Whether this ledger signed it (with its current key or one retired by a rotation).</summary>
    public bool SignedBy(SealKeys keys) => keys.Find(KeyId) is { } key &&
        CryptographicOperations.FixedTimeEquals(Convert.FromHexString(Sign(key, Database, new ChainHead(Sequence, Hash), IssuedAt).Signature),
            Signature.Length == 64 && Signature.All(Uri.IsHexDigit) ? Convert.FromHexString(Signature) : new byte[32]);
}
