using Ledger.Domain.Alliances;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;

namespace Ledger.Projections;

/// <summary>
/// Every stored event type with its stored name. Stored names are pinned here and never change once events carry
/// them: renaming a C# record must not orphan history. A test checks every event record of the domain is listed.
/// </summary>
public static class LedgerEvents
{
    public static readonly IReadOnlyDictionary<Type, string> StoredNames = new Dictionary<Type, string>
    {
        [typeof(AllianceFounded)] = "v1.alliance_founded",
        [typeof(MemberAdmitted)] = "v1.member_admitted",
        [typeof(MemberLeft)] = "v1.member_left",
        [typeof(FeePolicySet)] = "v1.fee_policy_set",
        [typeof(LoanRequested)] = "v1.loan_requested",
        [typeof(LoanShipped)] = "v1.loan_shipped",
        [typeof(LoanReceived)] = "v1.loan_received",
        [typeof(LoanReturned)] = "v1.loan_returned",
        [typeof(LoanUnfilled)] = "v1.loan_unfilled",
        [typeof(LoanCancelled)] = "v1.loan_cancelled",
        [typeof(LoanLost)] = "v1.loan_lost",
        [typeof(LoanChargeRefunded)] = "v1.loan_charge_refunded",
        [typeof(DeliveryRequested)] = "v1.delivery_requested",
        [typeof(DeliveryFulfilled)] = "v1.delivery_fulfilled",
        [typeof(DeliveryUnfilled)] = "v1.delivery_unfilled",
        [typeof(DeliveryCancelled)] = "v1.delivery_cancelled",
        [typeof(DeliveryChargeRefunded)] = "v1.delivery_charge_refunded",
    };

    /// <summary>The events that yield postings (see PostingRules).</summary>
    public static readonly Type[] MoneyEventTypes =
    [
        typeof(LoanShipped), typeof(LoanLost), typeof(LoanChargeRefunded),
        typeof(DeliveryFulfilled), typeof(DeliveryChargeRefunded),
    ];
}
