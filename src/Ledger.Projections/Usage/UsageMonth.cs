namespace Ledger.Projections.Usage;

/// <summary>
/// One member's use of one service (loan or copy) in one month of business dates. Counts are by the month of the
/// event that changes them: a request counts in the month it was made, a fill in the month it shipped.
/// </summary>
public sealed class UsageMonth
{
    public string Id { get; set; } = "";
    public string Member { get; set; } = "";
    /// <summary>yyyy-MM</summary>
    public string Month { get; set; } = "";
    public string Service { get; set; } = "";

    // As borrower (requester)
    public int RequestsMade { get; set; }
    public int RequestsFilled { get; set; }
    public int RequestsUnfilled { get; set; }
    public long FeesPaidFen { get; set; }
    public long SubsidiesReceivedFen { get; set; }
    public int PagesReceived { get; set; }
    public List<double> BorrowerTurnaroundHours { get; set; } = [];

    // As lender (supplier)
    public int RequestsReceived { get; set; }
    public int RequestsSupplied { get; set; }
    public long FeesReceivedFen { get; set; }
    public long RewardsReceivedFen { get; set; }
    public int PagesSupplied { get; set; }
    public List<double> LenderTurnaroundHours { get; set; } = [];

    public static string Key(string member, DateOnly date, string service) => $"{member}|{date:yyyy-MM}|{service}";
}
