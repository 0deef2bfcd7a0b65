using Ledger.Api.Security;
using Ledger.Projections.Audit;

namespace Ledger.Api.Audit;

/// <summary>
/// The "Ledger:Audit" keys that seal events: <c>SealKey</c> (base64, e.g. from an environment variable shared by every
/// node) or else the file <c>SealKeyFile</c> (default ~/.alliance-ledger/seal-key, created with mode 600 on first
/// use); <c>PreviousSealKeys</c> (base64 list) are keys retired by a rotation, whose seals verification still accepts.
/// The database never holds them.
/// </summary>
public static class SealSettings
{
    public static SealKeys From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Ledger:Audit");
        var configured = section["SealKey"];
        var secret = !string.IsNullOrEmpty(configured)
            ? Convert.FromBase64String(configured)
            : KeyFile.ReadOrCreate(section["SealKeyFile"] is { Length: > 0 } file ? file : KeyFile.InHome("seal-key"));
        var previous = (section.GetSection("PreviousSealKeys").Get<string[]>() ?? []).Select(k => SealKey.Of(Convert.FromBase64String(k)));
        return new SealKeys(SealKey.Of(secret), previous);
    }
}
