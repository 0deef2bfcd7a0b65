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

    /// <summary>As borrower: loans declared lost in this month (added in version 2 of the projection).</summary>
    public int LoansLost { get; set; }

    public static string Key(string member, DateOnly date, string service) => $"{member}|{date:yyyy-MM}|{service}";

    /// <summary>True when nothing is counted (what is left of a document whose every event came late).</summary>
    public bool CountsNothing() =>
        RequestsMade == 0 && RequestsFilled == 0 && RequestsUnfilled == 0 && FeesPaidFen == 0 && SubsidiesReceivedFen == 0 && PagesReceived == 0
        && RequestsReceived == 0 && RequestsSupplied == 0 && FeesReceivedFen == 0 && RewardsReceivedFen == 0 && PagesSupplied == 0
        && LoansLost == 0;

    /// <summary>Takes away what <paramref name="late"/> added (its counts, sums and each of its turnaround values once).</summary>
    public void Subtract(UsageMonth late)
    {
        RequestsMade -= late.RequestsMade;
        RequestsFilled -= late.RequestsFilled;
        RequestsUnfilled -= late.RequestsUnfilled;
        FeesPaidFen -= late.FeesPaidFen;
        SubsidiesReceivedFen -= late.SubsidiesReceivedFen;
        PagesReceived -= late.PagesReceived;
        foreach (var h in late.BorrowerTurnaroundHours) BorrowerTurnaroundHours.Remove(h);
        RequestsReceived -= late.RequestsReceived;
        RequestsSupplied -= late.RequestsSupplied;
        FeesReceivedFen -= late.FeesReceivedFen;
        RewardsReceivedFen -= late.RewardsReceivedFen;
        PagesSupplied -= late.PagesSupplied;
        foreach (var h in late.LenderTurnaroundHours) LenderTurnaroundHours.Remove(h);
        LoansLost -= late.LoansLost;
    }
}
