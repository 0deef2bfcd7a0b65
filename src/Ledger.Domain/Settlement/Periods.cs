using System.Globalization;

namespace Ledger.Domain.Settlement;

public enum PeriodFrequency { Monthly, Quarterly, Yearly }

/// <summary>A settlement period: "2026-10" (monthly), "2026-Q4" (quarterly) or "2026" (yearly), with its first and last day.</summary>
public sealed record Period(string Key, DateOnly From, DateOnly To)
{
    public static Period Containing(DateOnly date, PeriodFrequency frequency) => frequency switch
    {
        PeriodFrequency.Monthly => new Period($"{date:yyyy-MM}", new DateOnly(date.Year, date.Month, 1),
            new DateOnly(date.Year, date.Month, 1).AddMonths(1).AddDays(-1)),
        PeriodFrequency.Quarterly => Quarter(date.Year, (date.Month - 1) / 3 + 1),
        _ => new Period($"{date:yyyy}", new DateOnly(date.Year, 1, 1), new DateOnly(date.Year, 12, 31)),
    };

    private static Period Quarter(int year, int q) =>
        new($"{year}-Q{q}", new DateOnly(year, 3 * q - 2, 1), new DateOnly(year, 3 * q - 2, 1).AddMonths(3).AddDays(-1));

    public Period Next(PeriodFrequency frequency) => Containing(To.AddDays(1), frequency);

    /// <summary>The period a key names under a frequency, or null when the key is not one of its keys.</summary>
    public static Period? Parse(string key, PeriodFrequency frequency)
    {
        var c = CultureInfo.InvariantCulture;
        switch (frequency)
        {
            case PeriodFrequency.Monthly when key.Length == 7 && DateOnly.TryParseExact(key + "-01", "yyyy-MM-dd", c, DateTimeStyles.None, out var m)
                                              && DateRange.Contains(m):
                return Containing(m, frequency);
            case PeriodFrequency.Quarterly when key.Length == 7 && key[4..6] == "-Q" && key[6] is >= '1' and <= '4' &&
                                                int.TryParse(key[..4], NumberStyles.None, c, out var y) && y >= DateRange.Earliest.Year && y <= DateRange.Latest.Year:
                return Quarter(y, key[6] - '0');
            case PeriodFrequency.Yearly when key.Length == 4 && int.TryParse(key, NumberStyles.None, c, out var year) && year >= DateRange.Earliest.Year && year <= DateRange.Latest.Year:
                return new Period(key, new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
            default:
                return null;
        }
    }
}
