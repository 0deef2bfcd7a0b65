using Ledger.Domain.Sharing;

namespace Ledger.Domain.Purchases;

// A joint purchase: a licence bought together. Proposed → members join (or withdraw) → invoiced (credit the vendor,
// debit the purchase's clearing account) → allocated (debit each member's share, credit the clearing account) →
// optionally covered in part by a grant (debit the grant, credit the members in proportion to their shares) → the
// vendor paid (debit the vendor, credit cash). A withdrawal, a join or a usage restatement after allocation
// reallocates: the old shares (and covers) are reversed and the new ones posted, in one event, both visible.

public interface IPurchaseCommand { DateTimeOffset At { get; } }
public interface IPurchaseEvent;

public sealed record ProposePurchase(
    string PurchaseId, string Resource, string Vendor, DateOnly LicenceFrom, DateOnly LicenceTo, long ListPriceFen,
    SplitRule Rule, string Metric, DateTimeOffset At) : IPurchaseCommand;

public sealed record JoinPurchase(string Member, DateTimeOffset At) : IPurchaseCommand;
public sealed record WithdrawFromPurchase(string Member, string Reason, DateTimeOffset At) : IPurchaseCommand;
public sealed record RecordPurchaseUsage(string Member, CounterUsage Usage, DateTimeOffset At) : IPurchaseCommand;
public sealed record InvoicePurchase(string InvoiceNumber, long AmountFen, DateOnly InvoiceDate, DateTimeOffset At) : IPurchaseCommand;
public sealed record AllocatePurchase(DateTimeOffset At) : IPurchaseCommand;
/// <param name="GrantAvailableFen">What the sub-project can still spend, read by the command path from its running total (checked again at commit).</param>
public sealed record CoverPurchase(string FundingReference, long AmountFen, DateTimeOffset At, string BudgetLine = Funding.BudgetLines.ResourcePurchase,
    long GrantAvailableFen = long.MaxValue) : IPurchaseCommand;
public sealed record PayVendor(string PaymentId, long AmountFen, DateOnly PaidOn, string BankReference, DateTimeOffset At) : IPurchaseCommand;

public sealed record PurchaseProposed(
    string PurchaseId, string Resource, string Vendor, DateOnly LicenceFrom, DateOnly LicenceTo, long ListPriceFen,
    SplitRule Rule, string Metric, DateTimeOffset ProposedAt) : IPurchaseEvent;

public sealed record PurchaseJoined(string PurchaseId, string Member, DateTimeOffset JoinedAt) : IPurchaseEvent;
public sealed record PurchaseWithdrawn(string PurchaseId, string Member, string Reason, DateTimeOffset WithdrawnAt) : IPurchaseEvent;
public sealed record PurchaseUsageRecorded(string PurchaseId, string Member, CounterUsage Usage, DateTimeOffset RecordedAt) : IPurchaseEvent;

public sealed record PurchaseInvoiced(
    string PurchaseId, string Vendor, string InvoiceNumber, long AmountFen, DateOnly InvoiceDate, DateOnly BusinessDate) : IPurchaseEvent;

/// <summary>A cover's split: the grant pays <see cref="AmountFen"/> instead of the members, in proportion to their shares.</summary>
public sealed record Cover(string FundingReference, long AmountFen, IReadOnlyList<Share> Split, string? BudgetLine = null);

/// <summary>The shares, with everything they were computed from: the rule, its inputs, the rule version and the date.</summary>
public sealed record PurchaseAllocated(
    string PurchaseId, long TotalFen, SplitRule Rule, string RuleVersion, DateOnly AllocationDate,
    IReadOnlyList<Participant> Inputs, IReadOnlyList<Share> Shares, DateOnly BusinessDate) : IPurchaseEvent;

public sealed record PurchaseCovered(string PurchaseId, Cover Cover, DateOnly BusinessDate) : IPurchaseEvent;

/// <summary>Old shares and covers reversed, new ones posted, and why.</summary>
public sealed record PurchaseReallocated(
    string PurchaseId, string Reason, long TotalFen, SplitRule Rule, string RuleVersion, DateOnly AllocationDate,
    IReadOnlyList<Participant> Inputs, IReadOnlyList<Share> PreviousShares, IReadOnlyList<Share> Shares,
    IReadOnlyList<Cover> PreviousCovers, IReadOnlyList<Cover> Covers, DateOnly BusinessDate) : IPurchaseEvent;

public sealed record VendorPaid(
    string PurchaseId, string Vendor, string PaymentId, long AmountFen, DateOnly PaidOn, string BankReference, DateOnly BusinessDate) : IPurchaseEvent;

public enum PurchaseStatus { Proposed, Invoiced, Allocated }

public sealed record Invoice(string Number, long AmountFen, DateOnly InvoiceDate);

public sealed record VendorPayment(string PaymentId, long AmountFen, DateOnly PaidOn, string BankReference);

public sealed record JointPurchase(
    string Id, string Resource, string Vendor, DateOnly LicenceFrom, DateOnly LicenceTo, long ListPriceFen,
    SplitRule Rule, string Metric, PurchaseStatus Status, DateTimeOffset ProposedAt,
    IReadOnlyList<string> Participants, IReadOnlyList<string> Withdrawn,
    IReadOnlyDictionary<string, CounterUsage> Usage,
    Invoice? Invoice, DateOnly? AllocationDate, IReadOnlyList<Participant> Inputs, IReadOnlyList<Share> Shares,
    IReadOnlyList<Cover> Covers, IReadOnlyList<VendorPayment> VendorPayments)
{
    public long CoveredFen => Covers.Sum(c => c.AmountFen);
    public long VendorPaidFen => VendorPayments.Sum(p => p.AmountFen);
}

public static class PurchaseCodes
{
    public const string PurchaseMustExist = "purchase_must_exist";
    public const string PurchaseIdReused = "purchase_id_must_not_be_reused";
    public const string LicencePeriodMustBeOrdered = "licence_period_must_not_end_before_it_starts";
    public const string MemberMustTakePart = "member_must_take_part_in_purchase";
    public const string MemberMustNotHaveWithdrawn = "member_must_not_have_withdrawn";
    public const string InvoiceMustNotChange = "invoice_must_not_change";
    public const string PurchaseMustBeInvoiced = "purchase_must_be_invoiced_to_allocate";
    public const string PurchaseMustBeAllocated = "purchase_must_be_allocated";
    public const string CoverMustNotExceedShares = "cover_must_not_exceed_what_members_pay";
    public const string CoverMustNotChange = "cover_must_not_change";
    public const string VendorPaymentIdReused = "vendor_payment_id_must_not_be_reused";
    public const string VendorPaymentMustNotExceedInvoice = "vendor_payment_must_not_exceed_invoice";
}
