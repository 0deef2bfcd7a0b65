using Ledger.Domain.Charges;

namespace Ledger.Domain.Loans;

// An interlibrary loan of a print item: requested by the borrower from the lender → shipped (the charge arises) →
// received → returned. Before shipment it may end unfilled or cancelled; after shipment the item may be lost, which
// charges the replacement cost. Any charge may be refunded in part or in full by later refund events.

public enum LoanStatus { Requested, Shipped, Received, Returned, Unfilled, Cancelled, Lost }

public interface ILoanCommand { DateTimeOffset At { get; } }
public interface ILoanEvent { string LoanId { get; } }

public sealed record RequestLoan(string LoanId, string Borrower, string Lender, string Title, long? MaximumCostFen, DateTimeOffset At) : ILoanCommand;
/// <param name="StatedChargeFen">A charge the lender states instead of the policy's loan fee.</param>
/// <param name="GrantAvailableFen">What the policy's grant can still pay, read by the command path from the grant's running total (checked again at commit).</param>
/// <param name="DisputeOverMaximum">A stated charge above the maximum cost becomes a dispute instead of a rejection (ISO 18626 path).</param>
public sealed record ShipLoan(long? StatedChargeFen, DateTimeOffset At, long GrantAvailableFen = long.MaxValue, bool DisputeOverMaximum = false) : ILoanCommand;

/// <summary>The finance officer settles a disputed charge: accepted, the loan ships at it; refused, the dispute closes.</summary>
public sealed record ResolveLoanChargeDispute(bool Accept, string Reason, DateTimeOffset At, long GrantAvailableFen = long.MaxValue) : ILoanCommand;
public sealed record ReceiveLoan(DateTimeOffset At) : ILoanCommand;
public sealed record ReturnLoan(DateTimeOffset At) : ILoanCommand;
public sealed record MarkLoanUnfilled(string Reason, DateTimeOffset At) : ILoanCommand;
public sealed record CancelLoan(string? Reason, DateTimeOffset At) : ILoanCommand;
public sealed record DeclareLoanLost(long ReplacementCostFen, DateTimeOffset At) : ILoanCommand;
public sealed record RefundLoanCharge(string RefundId, ChargeKind Charge, long AmountFen, string Reason, DateTimeOffset At) : ILoanCommand;

public sealed record LoanRequested(string LoanId, string Borrower, string Lender, string Title, long? MaximumCostFen,
    DateTimeOffset RequestedAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanChargeDisputed(string LoanId, long StatedChargeFen, long MaximumCostFen, DateTimeOffset RaisedAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanChargeDisputeResolved(string LoanId, bool Accepted, string Reason, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanShipped(string LoanId, string Borrower, string Lender, DateTimeOffset RequestedAt,
    DateTimeOffset ShippedAt, DateOnly BusinessDate, Charge Charge, bool ChargeStated) : ILoanEvent;
public sealed record LoanReceived(string LoanId, string Borrower, string Lender, DateTimeOffset ReceivedAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanReturned(string LoanId, string Borrower, string Lender, DateTimeOffset ReturnedAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanUnfilled(string LoanId, string Borrower, string Lender, string Reason, DateTimeOffset UnfilledAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanCancelled(string LoanId, string Borrower, string Lender, string? Reason, DateTimeOffset CancelledAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanLost(string LoanId, string Borrower, string Lender, long ReplacementCostFen, DateTimeOffset LostAt, DateOnly BusinessDate) : ILoanEvent;
public sealed record LoanChargeRefunded(string LoanId, string RefundId, ChargeKind Charge, string Borrower, string Lender,
    ChargeRefund Refund, string? GrantAccount, string Reason, DateTimeOffset RefundedAt, DateOnly BusinessDate, string? BudgetLine = null) : ILoanEvent;

/// <summary>The loan as its decider sees it and as <c>GET …/loans/{id}</c> shows it.</summary>
public sealed record Loan(
    string Id, string Borrower, string Lender, string Title, long? MaximumCostFen, LoanStatus Status,
    DateTimeOffset RequestedAt, DateTimeOffset? ShippedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? ReturnedAt,
    Charge? Fee, Charge? Replacement, string? Reason, IReadOnlyList<RecordedRefund> Refunds, ChargeDispute? Dispute = null)
{
    public Charge? ChargeOf(ChargeKind kind) => kind == ChargeKind.Fee ? Fee : Replacement;
}

public static class LoanCodes
{
    public const string LoanMustExist = "loan_must_exist";
    public const string LoanIdReused = "loan_id_must_not_be_reused";
    public const string LoanMustBeRequestedToShip = "loan_must_be_requested_to_ship";
    public const string LoanShippedWithOtherCharge = "loan_must_not_be_shipped_twice_with_other_charge";
    public const string LoanMustBeShippedToReceive = "loan_must_be_shipped_to_receive";
    public const string LoanMustBeShippedToReturn = "loan_must_be_shipped_to_return";
    public const string LoanMustBeOpenToUnfill = "loan_must_be_requested_to_mark_unfilled";
    public const string LoanMustBeOpenToCancel = "loan_must_be_requested_to_cancel";
    public const string LoanMustBeOutToLose = "loan_must_be_shipped_and_not_returned_to_be_lost";
    public const string LoanLostWithOtherCost = "loan_must_not_be_lost_twice_with_other_cost";
}
