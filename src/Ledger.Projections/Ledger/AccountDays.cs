namespace Ledger.Projections.Ledger;

/// <summary>
/// Each account's postings summed per business date: a balance "as known now" reads at most one row per business day
/// of the account instead of every posting. Questions about what was known at an earlier time still sum the postings
/// (they need each posting's recording time).
/// </summary>
public static class AccountDays
{
    public const string TableName = "account_days";

    public static readonly DaySums<Posting> Sums = new(TableName, "mt_doc_posting",
        [new("account", "varchar", p => p.Account), new("business_date", "date", p => p.BusinessDate)],
        [new("amount_fen", "bigint", p => p.AmountFen)]);
}
