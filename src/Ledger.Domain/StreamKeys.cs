namespace Ledger.Domain;

/// <summary>
/// Stream keys inside an alliance (the tenant). Loans and deliveries get a prefix because clients choose their ids
/// and a loan and a delivery may well share one.
/// </summary>
public static class StreamKeys
{
    public const string Alliance = "alliance";
    public static string Loan(string loanId) => $"loan:{loanId}";
    public static string Delivery(string deliveryId) => $"delivery:{deliveryId}";
    public static string Purchase(string purchaseId) => $"purchase:{purchaseId}";
    public static string CostShare(string costShareId) => $"cost-share:{costShareId}";
    public static string Payment(string paymentId) => $"payment:{paymentId}";
    public static string Project(string code) => $"project:{code}";
    public static string SubProject(string code) => $"subproject:{code}";
    public const string Settlement = "settlement";
}
