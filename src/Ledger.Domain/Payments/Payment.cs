using Ledger.Domain.Alliances;

namespace Ledger.Domain.Payments;

// Money between a member and the clearing centre: the member pays what it owes, or the centre pays out what it is
// owed. Cash against member:{code}. The client chooses the payment id, so paying twice with one id posts once.

public enum PaymentDirection { MemberToCentre, CentreToMember }

public sealed record RecordPayment(
    string PaymentId, string Member, PaymentDirection Direction, long AmountFen, DateOnly PaidOn, string BankReference, DateTimeOffset At);

public interface IPaymentEvent;

public sealed record PaymentRecorded(
    string PaymentId, string Member, PaymentDirection Direction, long AmountFen, DateOnly PaidOn, string BankReference,
    DateTimeOffset RecordedAt, DateOnly BusinessDate) : IPaymentEvent;

public sealed record Payment(
    string Id, string Member, PaymentDirection Direction, long AmountFen, DateOnly PaidOn, string BankReference, DateTimeOffset RecordedAt);

public static class PaymentCodes
{
    public const string PaymentMustExist = "payment_must_exist";
    public const string PaymentIdReused = "payment_id_must_not_be_reused";
    public const string AmountMustBePositive = "payment_amount_must_be_more_than_0";
}

public static class PaymentDecider
{
    public static PaymentRecorded[] Decide(RecordPayment c, Payment? state, Alliance alliance)
    {
        if (state is not null)
            return state.Member == c.Member && state.Direction == c.Direction && state.AmountFen == c.AmountFen &&
                   state.PaidOn == c.PaidOn && state.BankReference == c.BankReference
                ? []
                : throw new Rejected(PaymentCodes.PaymentIdReused, $"payment {c.PaymentId} is already recorded with other details");
        if (c.AmountFen <= 0) throw new Rejected(PaymentCodes.AmountMustBePositive);
        if (alliance.MemberOrNull(c.Member) is null)
            throw new NotFound(AllianceCodes.MemberMustExist, $"member {c.Member} does not exist in {alliance.Code}");
        return [new PaymentRecorded(c.PaymentId, c.Member, c.Direction, c.AmountFen, c.PaidOn, c.BankReference, c.At, c.PaidOn)];
    }

    public static Payment Evolve(Payment? state, PaymentRecorded e) =>
        state is null
            ? new Payment(e.PaymentId, e.Member, e.Direction, e.AmountFen, e.PaidOn, e.BankReference, e.RecordedAt)
            : throw new InvalidOperationException("a payment is recorded once");
}
