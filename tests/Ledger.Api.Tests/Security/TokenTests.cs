using Ledger.Api.Security;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ledger.Api.Tests.Security;

/// <summary>The local key and the local token command, without a host.</summary>
public class TokenTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ledger-key-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void the_local_key_is_generated_once_outside_the_repository_readable_only_by_its_owner_and_then_reused()
    {
        var file = Path.Combine(directory, "signing-key");
        var first = new AuthSettings { SigningKeyFile = file }.LocalKey();
        File.Exists(file).ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var second = new AuthSettings { SigningKeyFile = file }.LocalKey();
        second.Key.ShouldBe(first.Key);
        first.Key.Length.ShouldBe(32);
        AuthSettings.DefaultKeyFile().ShouldNotStartWith(AppContext.BaseDirectory);
    }

    [Fact]
    public void a_key_in_configuration_wins_over_the_file_and_a_short_key_is_refused()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var settings = new AuthSettings { SigningKey = key, SigningKeyFile = Path.Combine(directory, "unused") };
        settings.LocalKey().Key.ShouldBe(new byte[32]);
        File.Exists(settings.SigningKeyFile).ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => new AuthSettings { SigningKey = Convert.ToBase64String(new byte[16]) }.LocalKey());
    }

    [Fact]
    public void issued_tokens_carry_one_role_and_its_scope_and_incomplete_scopes_are_refused()
    {
        var issuer = new TokenIssuer(new AuthSettings { SigningKey = Convert.ToBase64String(new byte[32]) }, TimeProvider.System);
        var token = new JsonWebToken(issuer.Issue(new TokenRequest("nju-ill", Roles.Member, ["JALIS"], Member: "NJU")));
        token.GetClaim("role").Value.ShouldBe(Roles.Member);
        token.GetClaim("member").Value.ShouldBe("NJU");
        token.GetClaim("alliance").Value.ShouldBe("JALIS");
        token.Audiences.ShouldBe(["alliance-ledger"]);
        (token.ValidTo - token.ValidFrom).ShouldBe(TokenIssuer.DefaultLifetime);

        Should.Throw<ArgumentException>(() => issuer.Issue(new TokenRequest("x", Roles.Member, ["JALIS"])));
        Should.Throw<ArgumentException>(() => issuer.Issue(new TokenRequest("x", Roles.Auditor, [])));
        Should.Throw<ArgumentException>(() => issuer.Issue(new TokenRequest("x", Roles.FinanceOfficer, [])));
        Should.Throw<ArgumentException>(() => issuer.Issue(new TokenRequest("x", "admin", ["JALIS"])));
        Should.Throw<InvalidOperationException>(() =>
            new TokenIssuer(new AuthSettings { Authority = "https://login.example" }, TimeProvider.System)
                .Issue(new TokenRequest("x", Roles.Operator, ["*"])));
    }

    [Fact]
    public void the_token_command_reads_its_options_and_refuses_unknown_ones()
    {
        var issuer = new TokenIssuer(new AuthSettings { SigningKey = Convert.ToBase64String(new byte[32]) }, TimeProvider.System);
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            TokenCommand.Run(["--role", "auditor", "--department", "JSEDU", "--hours", "2"], issuer).ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }
        var token = new JsonWebToken(output.ToString().Trim());
        token.GetClaim("department").Value.ShouldBe("JSEDU");
        token.GetClaim("sub").Value.ShouldBe("auditor@JSEDU");
        (token.ValidTo - token.ValidFrom).ShouldBe(TimeSpan.FromHours(2));
        Should.Throw<ArgumentException>(() => TokenCommand.Run(["--role", "operator", "--alliance", "X", "--colour", "red"], issuer));
        Should.Throw<ArgumentException>(() => TokenCommand.Run(["--alliance", "X"], issuer));
        Should.Throw<ArgumentException>(() => TokenCommand.Run(["--role", "operator", "--alliance", "X", "--hours", "-1"], issuer));
    }
}
