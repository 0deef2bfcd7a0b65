using Ledger.Domain.Alliances;
using Ledger.Domain.CostShares;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Funding;
using Ledger.Domain.Loans;
using Ledger.Domain.Payments;
using Ledger.Domain.Purchases;
using Ledger.Domain.Settlement;

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
        [typeof(MemberFteChanged)] = "v1.member_fte_changed",
        [typeof(PurchaseProposed)] = "v1.purchase_proposed",
        [typeof(PurchaseJoined)] = "v1.purchase_joined",
        [typeof(PurchaseWithdrawn)] = "v1.purchase_withdrawn",
        [typeof(PurchaseUsageRecorded)] = "v1.purchase_usage_recorded",
        [typeof(PurchaseInvoiced)] = "v1.purchase_invoiced",
        [typeof(PurchaseAllocated)] = "v1.purchase_allocated",
        [typeof(PurchaseCovered)] = "v1.purchase_covered",
        [typeof(PurchaseReallocated)] = "v1.purchase_reallocated",
        [typeof(VendorPaid)] = "v1.vendor_paid",
        [typeof(CostShareDeclared)] = "v1.cost_share_declared",
        [typeof(CostShareAllocated)] = "v1.cost_share_allocated",
        [typeof(CostShareReallocated)] = "v1.cost_share_reallocated",
        [typeof(CostShareReversed)] = "v1.cost_share_reversed",
        [typeof(PaymentRecorded)] = "v1.payment_recorded",
        [typeof(SettlementPeriodsChosen)] = "v1.settlement_periods_chosen",
        [typeof(PeriodClosed)] = "v1.period_closed",
        [typeof(LoanGrantWithheld)] = "v1.loan_grant_withheld",
        [typeof(DeliveryGrantWithheld)] = "v1.delivery_grant_withheld",
        [typeof(ProjectApproved)] = "v1.project_approved",
        [typeof(ProjectClosed)] = "v1.project_closed",
        [typeof(SubProjectApproved)] = "v1.subproject_approved",
        [typeof(FundsAllocated)] = "v1.funds_allocated",
        [typeof(FundsReturned)] = "v1.funds_returned",
        [typeof(FundsMovedOut)] = "v1.funds_moved_out",
        [typeof(FundsMovedIn)] = "v1.funds_moved_in",
        [typeof(ExpenditureRecorded)] = "v1.expenditure_recorded",
        [typeof(ExpenditureReversed)] = "v1.expenditure_reversed",
        [typeof(SubProjectAccepted)] = "v1.subproject_accepted",
        [typeof(AgencyIdRegistered)] = "v1.agency_id_registered",
        [typeof(LoanChargeDisputed)] = "v1.loan_charge_disputed",
        [typeof(LoanChargeDisputeResolved)] = "v1.loan_charge_dispute_resolved",
        [typeof(DeliveryChargeDisputed)] = "v1.delivery_charge_disputed",
        [typeof(DeliveryChargeDisputeResolved)] = "v1.delivery_charge_dispute_resolved",
    };

    /// <summary>The events that yield postings (see PostingRules).</summary>
    public static readonly Type[] MoneyEventTypes =
    [
        typeof(LoanShipped), typeof(LoanLost), typeof(LoanChargeRefunded),
        typeof(DeliveryFulfilled), typeof(DeliveryChargeRefunded),
        typeof(PurchaseInvoiced), typeof(PurchaseAllocated), typeof(PurchaseCovered), typeof(PurchaseReallocated), typeof(VendorPaid),
        typeof(CostShareAllocated), typeof(CostShareReallocated), typeof(CostShareReversed),
        typeof(PaymentRecorded),
        typeof(FundsAllocated), typeof(FundsReturned), typeof(FundsMovedOut), typeof(FundsMovedIn), typeof(ExpenditureRecorded), typeof(ExpenditureReversed),
    ];

    /// <summary>The events that move a sub-project's funds (see FundingRules).</summary>
    public static readonly Type[] FundingEventTypes =
    [
        typeof(FundsAllocated), typeof(FundsReturned), typeof(FundsMovedOut), typeof(FundsMovedIn), typeof(ExpenditureRecorded), typeof(ExpenditureReversed),
        typeof(LoanShipped), typeof(DeliveryFulfilled), typeof(LoanChargeRefunded), typeof(DeliveryChargeRefunded), typeof(PurchaseCovered),
        typeof(LoanGrantWithheld), typeof(DeliveryGrantWithheld),
    ];
}
