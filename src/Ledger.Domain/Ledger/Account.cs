namespace Ledger.Domain.Ledger;

/// <summary>
/// Account names of an alliance's ledger. A member's account is its position with the clearing centre: a positive
/// balance (credits − debits) means the clearing centre owes the member.
/// </summary>
public static class Account
{
    public static string Member(string code) => $"member:{code}";
    public static string Grant(string reference) => $"grant:{reference}";
    public static string Vendor(string id) => $"vendor:{id}";
    public static string Purchase(string id) => $"purchase:{id}";
    public static string Department(string code) => $"department:{code}";
    public static string Transfer(string moveId) => $"transfer:{moveId}";
    public const string Cash = "cash";

    public static bool IsMember(string account) => account.StartsWith("member:", StringComparison.Ordinal);
}

/// <summary>One leg of a posting: a credit (positive) or a debit (negative) on one account, in fen.</summary>
public sealed record PostingLine(string Account, long AmountFen);
