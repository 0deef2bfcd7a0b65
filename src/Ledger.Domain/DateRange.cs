namespace Ledger.Domain;

/// <summary>
/// The business dates the ledger takes, from 1900-01-01 to 2999-12-31: wide enough for any licence, project or history,
/// narrow enough that the end of a day, a month or a period is always a date too.
/// </summary>
public static class DateRange
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2999, 12, 31);

    public static bool Contains(DateOnly date) => date >= Earliest && date <= Latest;
}
