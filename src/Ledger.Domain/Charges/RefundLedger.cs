namespace Ledger.Domain.Charges;

/// <summary>Which charge of a request a refund corrects.</summary>
public enum ChargeKind { Fee, Replacement }

/// <summary>A refund already recorded on a request, kept in its state for idempotency and for what is left to refund.</summary>
public sealed record RecordedRefund(string RefundId, ChargeKind Charge, long AmountFen, string Reason);

public static class RefundRules
{
    /// <summary>
    /// Decides a refund request against the refunds already recorded: a repeated refund id with the same content is
    /// a retry (null: nothing to record); with other content it is rejected; otherwise the split to record.
    /// </summary>
    public static ChargeRefund? Decide(
        IReadOnlyList<RecordedRefund> recorded, string refundId, ChargeKind kind, long amountFen, string reason, Charge? charge)
    {
        if (recorded.FirstOrDefault(r => r.RefundId == refundId) is { } earlier)
            return earlier == new RecordedRefund(refundId, kind, amountFen, reason)
                ? null
                : throw new Rejected(ChargeCodes.RefundIdReused);
        if (charge is null) throw new Rejected(ChargeCodes.ChargeMustExist, $"there is no {kind.ToString().ToLowerInvariant()} charge to refund");
        var before = recorded.Where(r => r.Charge == kind).Sum(r => r.AmountFen);
        return Refunds.Split(charge, before, amountFen);
    }
}
