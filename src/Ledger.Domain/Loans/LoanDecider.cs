using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;

namespace Ledger.Domain.Loans;

public static class LoanDecider
{
    public static ILoanEvent[] Decide(string loanId, ILoanCommand command, Loan? state, Alliance alliance)
    {
        var date = alliance.BusinessDate(command.At);
        return (command, state) switch
        {
            (RequestLoan c, null) => Request(c, alliance, date),
            (RequestLoan c, { } s) => c.Borrower == s.Borrower && c.Lender == s.Lender && c.Title == s.Title &&
                                      c.MaximumCostFen == s.MaximumCostFen
                ? []
                : throw new Rejected(LoanCodes.LoanIdReused),
            (_, null) => throw new NotFound(LoanCodes.LoanMustExist, $"loan {loanId} does not exist"),

            (ShipLoan { DisputeOverMaximum: true, StatedChargeFen: { } stated } c, { Status: LoanStatus.Requested, MaximumCostFen: { } max } s)
                when stated > max => s.Dispute?.StatedChargeFen == stated ? [] : [new LoanChargeDisputed(s.Id, stated, max, c.At, date)],
            (ShipLoan c, { Status: LoanStatus.Requested } s) => Ship(c, s, alliance, date),
            (ResolveLoanChargeDispute c, { Status: LoanStatus.Requested, Dispute: { } d } s) => c.Accept
                ? [.. Ship(new ShipLoan(d.StatedChargeFen, c.At, c.GrantAvailableFen), s, alliance, date, overrideMaximum: true),
                    new LoanChargeDisputeResolved(s.Id, true, c.Reason, date)]
                : [new LoanChargeDisputeResolved(s.Id, false, c.Reason, date)],
            (ResolveLoanChargeDispute, _) => throw new Rejected(ChargeCodes.ChargeDisputeMustBeOpen),
            (ShipLoan c, { Fee: { } fee }) => c.StatedChargeFen is null || c.StatedChargeFen == fee.FeeFen
                ? []
                : throw new Rejected(LoanCodes.LoanShippedWithOtherCharge),
            (ShipLoan, _) => throw new Rejected(LoanCodes.LoanMustBeRequestedToShip),

            (ReceiveLoan c, { Status: LoanStatus.Shipped } s) => At(c, s, () =>
                [new LoanReceived(s.Id, s.Borrower, s.Lender, c.At, date)]),
            // A repeat of a step the loan has already passed (received, then returned or lost) answers with the state.
            (ReceiveLoan, { Status: LoanStatus.Received or LoanStatus.Returned } or { ReceivedAt: not null }) => [],
            (ReceiveLoan, _) => throw new Rejected(LoanCodes.LoanMustBeShippedToReceive),

            (ReturnLoan c, { Status: LoanStatus.Shipped or LoanStatus.Received } s) => At(c, s, () =>
                [new LoanReturned(s.Id, s.Borrower, s.Lender, c.At, date)]),
            (ReturnLoan, { Status: LoanStatus.Returned } or { ReturnedAt: not null }) => [],
            (ReturnLoan, _) => throw new Rejected(LoanCodes.LoanMustBeShippedToReturn),

            (MarkLoanUnfilled c, { Status: LoanStatus.Requested } s) => At(c, s, () =>
                [new LoanUnfilled(s.Id, s.Borrower, s.Lender, c.Reason, c.At, date)]),
            (MarkLoanUnfilled, { Status: LoanStatus.Unfilled }) => [],
            (MarkLoanUnfilled, _) => throw new Rejected(LoanCodes.LoanMustBeOpenToUnfill),

            (CancelLoan c, { Status: LoanStatus.Requested } s) => At(c, s, () =>
                [new LoanCancelled(s.Id, s.Borrower, s.Lender, c.Reason, c.At, date)]),
            (CancelLoan, { Status: LoanStatus.Cancelled }) => [],
            (CancelLoan, _) => throw new Rejected(LoanCodes.LoanMustBeOpenToCancel),

            (DeclareLoanLost c, { Status: LoanStatus.Shipped or LoanStatus.Received } s) => Lose(c, s, date),
            (DeclareLoanLost c, { Status: LoanStatus.Lost, Replacement: { } r }) => c.ReplacementCostFen == r.FeeFen
                ? []
                : throw new Rejected(LoanCodes.LoanLostWithOtherCost),
            (DeclareLoanLost, _) => throw new Rejected(LoanCodes.LoanMustBeOutToLose),

            (RefundLoanCharge c, { } s) => Refund(c, s, date),
            _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
        };
    }

    private static ILoanEvent[] Request(RequestLoan c, Alliance alliance, DateOnly date)
    {
        Parties.MustBeMembers(alliance, c.Borrower, c.Lender, date);
        return [new LoanRequested(c.LoanId, c.Borrower, c.Lender, c.Title, c.MaximumCostFen, c.At, date)];
    }

    private static ILoanEvent[] Ship(ShipLoan c, Loan s, Alliance alliance, DateOnly date, bool overrideMaximum = false)
    {
        Parties.MustNotPrecede(c.At, s.RequestedAt);
        Parties.MustBeMembers(alliance, s.Borrower, s.Lender, date);
        var policy = Parties.PolicyOn(alliance, date);
        var borrower = alliance.Members[s.Borrower];
        var (charge, withheld) = Pricing.Price(policy, policy.LoanFeeFen, c.StatedChargeFen, borrower.RegionGroup, overrideMaximum ? null : s.MaximumCostFen, c.GrantAvailableFen);
        var shipped = new LoanShipped(s.Id, s.Borrower, s.Lender, s.RequestedAt, c.At, date, charge, c.StatedChargeFen is not null);
        return withheld > 0
            ? [shipped, new Funding.LoanGrantWithheld(s.Id, policy.FundingReference ?? "", withheld, c.GrantAvailableFen, date, policy.BudgetLine)]
            : [shipped];
    }

    private static ILoanEvent[] Lose(DeclareLoanLost c, Loan s, DateOnly date)
    {
        Parties.MustNotPrecede(c.At, s.RequestedAt);
        // A lost item is charged at replacement cost between the two libraries: no subsidy, no reward.
        return [new LoanLost(s.Id, s.Borrower, s.Lender, c.ReplacementCostFen, c.At, date)];
    }

    private static ILoanEvent[] Refund(RefundLoanCharge c, Loan s, DateOnly date)
    {
        var charge = s.ChargeOf(c.Charge);
        var split = RefundRules.Decide(s.Refunds, c.RefundId, c.Charge, c.AmountFen, c.Reason, charge);
        return split is null
            ? []
            : [new LoanChargeRefunded(s.Id, c.RefundId, c.Charge, s.Borrower, s.Lender, split, charge!.GrantAccount, c.Reason, c.At, date, charge.BudgetLine)];
    }

    private static ILoanEvent[] At(ILoanCommand c, Loan s, Func<ILoanEvent[]> events)
    {
        Parties.MustNotPrecede(c.At, s.RequestedAt);
        return events();
    }

    public static Loan Evolve(Loan? state, ILoanEvent e) => (state, e) switch
    {
        (null, LoanRequested r) => new Loan(r.LoanId, r.Borrower, r.Lender, r.Title, r.MaximumCostFen, LoanStatus.Requested,
            r.RequestedAt, null, null, null, null, null, null, []),
        ({ } s, LoanShipped x) => s with { Status = LoanStatus.Shipped, ShippedAt = x.ShippedAt, Fee = x.Charge },
        ({ } s, LoanReceived x) => s with { Status = LoanStatus.Received, ReceivedAt = x.ReceivedAt },
        ({ } s, LoanReturned x) => s with { Status = LoanStatus.Returned, ReturnedAt = x.ReturnedAt },
        ({ } s, LoanUnfilled x) => s with { Status = LoanStatus.Unfilled, Reason = x.Reason },
        ({ } s, LoanCancelled x) => s with { Status = LoanStatus.Cancelled, Reason = x.Reason },
        ({ } s, LoanLost x) => s with { Status = LoanStatus.Lost, Replacement = Pricing.Unsubsidised(x.ReplacementCostFen) },
        ({ } s, LoanChargeRefunded x) => s with
        {
            Refunds = [.. s.Refunds, new RecordedRefund(x.RefundId, x.Charge, x.Refund.AmountFen, x.Reason)],
        },
        ({ } s, Funding.LoanGrantWithheld) => s,
        ({ } s, LoanChargeDisputed d) => s with { Dispute = new ChargeDispute(d.StatedChargeFen, d.MaximumCostFen, d.RaisedAt) },
        ({ } s, LoanChargeDisputeResolved) => s with { Dispute = null },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name}"),
    };
}
