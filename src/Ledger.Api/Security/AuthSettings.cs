using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Api.Security;

/// <summary>
/// The "Auth" configuration section. With <see cref="Authority"/> set, tokens come from that OpenID Connect provider
/// (its signing keys are read from its discovery document). Without it, the host signs and accepts its own tokens
/// with a local HMAC-SHA256 key: <see cref="SigningKey"/> (base64, e.g. from an environment variable shared by all
/// nodes) or else the file <see cref="SigningKeyFile"/>, generated on first use, outside the repository.
/// </summary>
public sealed class AuthSettings
{
    public string? Authority { get; set; }
    public string Issuer { get; set; } = "alliance-ledger-local";
    public string Audience { get; set; } = "alliance-ledger";
    public string? SigningKey { get; set; }
    public string SigningKeyFile { get; set; } = DefaultKeyFile();
    public bool RequireHttpsMetadata { get; set; } = true;
    public string UserClaim { get; set; } = "sub";
    public string RoleClaim { get; set; } = "role";
    public string AllianceClaim { get; set; } = "alliance";
    public string MemberClaim { get; set; } = "member";
    public string DepartmentClaim { get; set; } = "department";

    public bool UsesLocalKey => string.IsNullOrEmpty(Authority);

    public static string DefaultKeyFile() => KeyFile.InHome("signing-key");

    private SymmetricSecurityKey? key;

    /// <summary>The local signing key: from configuration, else from the key file, which is created (mode 600) when missing.</summary>
    public SymmetricSecurityKey LocalKey()
    {
        if (key is not null) return key;
        var bytes = !string.IsNullOrEmpty(SigningKey) ? Convert.FromBase64String(SigningKey) : KeyFile.ReadOrCreate(SigningKeyFile);
        if (bytes.Length < 32) throw new InvalidOperationException("the signing key must be at least 256 bits");
        return key = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant() };
    }
}
