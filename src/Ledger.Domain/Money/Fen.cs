namespace Ledger.Domain.Money;

/// <summary>
/// Money is an integer count of fen (0.01 CNY). Conversions to and from the two-decimal amounts the API speaks
/// live here so that no other code ever multiplies by 100.
/// </summary>
public static class Fen
{
    /// <summary>The largest amount the ledger accepts in one field: 10^12 yuan, kept well inside long.</summary>
    public const long MaxFen = 1_000_000_000_000L * 100;

    /// <summary>True when the amount has at most two decimals and lies in [0, 10^12].</summary>
    public static bool IsValidAmount(decimal amount) =>
        amount >= 0 && amount <= 1_000_000_000_000m && decimal.Round(amount, 2) == amount;

    public static long FromAmount(decimal amount)
    {
        if (!IsValidAmount(amount)) throw new ArgumentOutOfRangeException(nameof(amount), amount, "not a valid amount");
        return (long)(amount * 100m);
    }

    public static decimal ToAmount(long fen) => fen / 100m;
}
