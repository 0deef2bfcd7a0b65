namespace Ledger.Api.Security;

/// <summary>
/// "token": prints a token signed with the local key, for local use.
/// <c>token --role member --alliance JALIS --member NJU [--user nju-ill] [--hours 12]</c>;
/// --alliance may repeat (or be "*" for an operator); an auditor takes --department instead.
/// </summary>
public static class TokenCommand
{
    public static int Run(IReadOnlyList<string> args, TokenIssuer issuer)
    {
        string? role = null, member = null, department = null, user = null;
        var alliances = new List<string>();
        var hours = 12.0;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--role": role = Value(); break;
                case "--alliance": alliances.Add(Value()); break;
                case "--member": member = Value(); break;
                case "--department": department = Value(); break;
                case "--user": user = Value(); break;
                case "--hours":
                    hours = double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out var h) && h is > 0 and <= 24 * 366
                        ? h
                        : throw new ArgumentException("--hours must be a number of hours from 0 to 8784");
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (role is null) throw new ArgumentException("--role is required: " + string.Join(", ", Roles.All));
        user ??= $"{role}@{member ?? department ?? string.Join('+', alliances)}";
        Console.WriteLine(issuer.Issue(new TokenRequest(user, role, alliances, member, department, TimeSpan.FromHours(hours))));
        return 0;
    }
}
