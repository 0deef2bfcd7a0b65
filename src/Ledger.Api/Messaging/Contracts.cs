// Integration contracts: what other systems hear from the ledger, and what they may send it. Versioned (V1) and kept
// apart from the domain events, which may change shape; a contract changes only by adding a V2 beside it.
// MassTransit names the exchanges after these types (Ledger.Contracts.V1:ChargePosted …).

namespace Ledger.Contracts.V1;

/// <summary>Fields every integration event carries: the source event (its id is the message id), the alliance, when.</summary>
public interface ILedgerIntegrationEvent
{
    Guid EventId { get; }
    long Sequence { get; }
    string Alliance { get; }
    DateTimeOffset RecordedAt { get; }
}

/// <summary>A filled loan or copy was charged (kind "loan" or "delivery"). Amounts in yuan.</summary>
public sealed record ChargePosted(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Kind, string RequestId,
    string Borrower, string Lender, decimal Fee, decimal Subsidy, decimal Reward, decimal BorrowerPays, string? GrantAccount, DateOnly BusinessDate)
    : ILedgerIntegrationEvent;

/// <summary>Part or all of a charge was refunded.</summary>
public sealed record RefundPosted(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Kind, string RequestId, string RefundId,
    string Borrower, string Lender, decimal Amount, DateOnly BusinessDate) : ILedgerIntegrationEvent;

public sealed record ShareLine(string Member, decimal Amount);

/// <summary>A joint purchase or a cost share was allocated (or reallocated) among members.</summary>
public sealed record AllocationMade(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Kind, string Id, decimal Total,
    IReadOnlyList<ShareLine> Shares, bool Reallocation, DateOnly BusinessDate) : ILedgerIntegrationEvent;

/// <summary>A member paid the clearing centre, or was paid by it.</summary>
public sealed record PaymentRecorded(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string PaymentId, string Member,
    string Direction, decimal Amount, DateOnly PaidOn, string BankReference) : ILedgerIntegrationEvent;

/// <summary>A settlement period was closed.</summary>
public sealed record PeriodClosed(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Period, DateOnly From, DateOnly To,
    int Postings) : ILedgerIntegrationEvent;

/// <summary>A member's statement issued by a period close (one per member; message id derived from the close and the member).</summary>
public sealed record StatementIssued(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Period, string Member,
    decimal OpeningBalance, decimal ClosingBalance, decimal ToPay, decimal ToReceive, string Digest) : ILedgerIntegrationEvent;

/// <summary>A subsidy and reward were not granted because the grant's sub-project had not enough funds.</summary>
public sealed record SubsidyRefused(Guid EventId, long Sequence, string Alliance, DateTimeOffset RecordedAt, string Kind, string RequestId,
    string FundingReference, decimal Wanted, decimal Available, DateOnly BusinessDate) : ILedgerIntegrationEvent;

/// <summary>
/// A signed checkpoint of a ledger database's audit chain, for the department to keep outside the system (on a schedule
/// and whenever one is asked for). Verify against it with POST /api/audit/verification (the same fields as the body).
/// </summary>
public sealed record AuditCheckpointIssued(string Database, long Sequence, string Hash, DateTimeOffset IssuedAt, string KeyId, string Signature);

/// <summary>In: an ISO 18626 message for an alliance, from a platform that prefers a queue to HTTP.</summary>
public sealed record SubmitIso18626(string Alliance, string Xml);

/// <summary>Out: the confirmation the ledger gave to a queued ISO 18626 message.</summary>
public sealed record Iso18626Answered(string Alliance, string? RequestId, string MessageStatus, string? ErrorType, string? ErrorValue, string Confirmation);

/// <summary>
/// In: one of the ledger's own loan or delivery commands from a queue. <see cref="Command"/> is "loan.request",
/// "loan.shipped", "loan.received", "loan.returned", "loan.unfilled", "loan.cancelled", "loan.lost",
/// "delivery.request", "delivery.fulfilled", "delivery.unfilled" or "delivery.cancelled"; <see cref="Id"/> the loan's or
/// delivery's id; <see cref="Body"/> the JSON body the matching HTTP endpoint takes (may be empty where that one's is optional).
/// </summary>
public sealed record SubmitLedgerCommand(string Alliance, string Command, string Id, string? Body);

/// <summary>Out: what became of a queued command: "OK" with the stream's version, or "ERROR" with the API's problem code.</summary>
public sealed record LedgerCommandAnswered(string Alliance, string Command, string Id, string Status, string? Code, string? Detail, long? Version);
