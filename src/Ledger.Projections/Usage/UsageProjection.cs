using JasperFx.Events;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;
using Marten.Events.Projections;

namespace Ledger.Projections.Usage;

/// <summary>
/// Usage statistics per member, month and service, built by the async daemon: each request event counts for the
/// borrower's document and the lender's document of the month of its business date.
/// </summary>
public sealed partial class UsageProjection : MultiStreamProjection<UsageMonth, string>
{
    public const string Loan = "loan";
    public const string Copy = "copy";

    /// <summary>
    /// The version of the projection's documents. A new field (or a new rule) raises it: the new version is built beside
    /// the old one (its own table, mt_doc_usagemonth_N, and its own progress row) while nodes of the previous release go
    /// on serving theirs, and a node of the new release is ready only once it has caught up (blue/green, README
    /// "Changing a read model"). Version 2 added LoansLost.
    /// </summary>
    public const uint StorageVersion = 2;

    /// <summary>The event types that change usage: one identity rule serves the projection and the as-of query.</summary>
    public static readonly Type[] EventTypes =
    [
        typeof(LoanRequested), typeof(LoanShipped), typeof(LoanUnfilled), typeof(LoanLost), typeof(LoanChargeRefunded),
        typeof(DeliveryRequested), typeof(DeliveryFulfilled), typeof(DeliveryUnfilled), typeof(DeliveryChargeRefunded),
    ];

    public UsageProjection()
    {
        Identities<LoanRequested>(KeysOf);
        Identities<LoanShipped>(KeysOf);
        Identities<LoanUnfilled>(KeysOf);
        Identities<LoanLost>(KeysOf);
        Identities<LoanChargeRefunded>(KeysOf);
        Identities<DeliveryRequested>(KeysOf);
        Identities<DeliveryFulfilled>(KeysOf);
        Identities<DeliveryUnfilled>(KeysOf);
        Identities<DeliveryChargeRefunded>(KeysOf);
        Version = StorageVersion;
        // A rebuild keeps the (few) month documents in memory and writes each once, instead of once per page of events.
        Options.BatchSize = Rebuilds.BatchSize;
        Options.RebuildFlushThreshold = Rebuilds.FlushThreshold;
    }

    /// <summary>The borrower's and the lender's document of the event's business month (none for other events).</summary>
    public static string[] KeysOf(object @event) => @event switch
    {
        LoanRequested e => Keys(e.Borrower, e.Lender, e.BusinessDate, Loan),
        LoanShipped e => Keys(e.Borrower, e.Lender, e.BusinessDate, Loan),
        LoanUnfilled e => Keys(e.Borrower, e.Lender, e.BusinessDate, Loan),
        LoanLost e => Keys(e.Borrower, e.Lender, e.BusinessDate, Loan),
        LoanChargeRefunded e => Keys(e.Borrower, e.Lender, e.BusinessDate, Loan),
        DeliveryRequested e => Keys(e.Requester, e.Supplier, e.BusinessDate, Copy),
        DeliveryFulfilled e => Keys(e.Requester, e.Supplier, e.BusinessDate, Copy),
        DeliveryUnfilled e => Keys(e.Requester, e.Supplier, e.BusinessDate, Copy),
        DeliveryChargeRefunded e => Keys(e.Requester, e.Supplier, e.BusinessDate, Copy),
        _ => [],
    };

    private static string[] Keys(string borrower, string lender, DateOnly date, string service) =>
        [UsageMonth.Key(borrower, date, service), UsageMonth.Key(lender, date, service)];

    public override UsageMonth Evolve(UsageMonth? snapshot, string id, IEvent e)
    {
        var doc = snapshot ?? New(id);
        UsageRules.Apply(doc, e.Data);
        return doc;
    }

    public static UsageMonth New(string id)
    {
        var parts = id.Split('|');
        return new UsageMonth { Id = id, Member = parts[0], Month = parts[1], Service = parts[2] };
    }
}

/// <summary>How each event changes a member's month: the side (borrower or lender) follows from the member code.</summary>
public static class UsageRules
{
    public static void Apply(UsageMonth doc, object @event)
    {
        switch (@event)
        {
            case LoanRequested e: Requested(doc, e.Borrower); break;
            case DeliveryRequested e: Requested(doc, e.Requester); break;
            case LoanShipped e:
                Filled(doc, e.Borrower, e.RequestedAt, e.ShippedAt, 0, e.Charge.FeeFen, e.Charge.SubsidyFen, e.Charge.RewardFen);
                break;
            case DeliveryFulfilled e:
                Filled(doc, e.Requester, e.RequestedAt, e.FulfilledAt, e.Pages, e.Charge.FeeFen, e.Charge.SubsidyFen, e.Charge.RewardFen);
                break;
            case LoanUnfilled e: Unfilled(doc, e.Borrower); break;
            case DeliveryUnfilled e: Unfilled(doc, e.Requester); break;
            case LoanLost e:
                if (doc.Member == e.Borrower) doc.LoansLost++;
                Money(doc, e.Borrower, e.ReplacementCostFen, 0, 0);
                break;
            case LoanChargeRefunded e:
                Money(doc, e.Borrower, -e.Refund.AmountFen, -e.Refund.GrantPartFen, -e.Refund.RewardReturnedFen);
                break;
            case DeliveryChargeRefunded e:
                Money(doc, e.Requester, -e.Refund.AmountFen, -e.Refund.GrantPartFen, -e.Refund.RewardReturnedFen);
                break;
        }
    }

    private static void Requested(UsageMonth doc, string borrower)
    {
        if (doc.Member == borrower) doc.RequestsMade++;
        else doc.RequestsReceived++;
    }

    private static void Unfilled(UsageMonth doc, string borrower)
    {
        if (doc.Member == borrower) doc.RequestsUnfilled++;
    }

    private static void Filled(UsageMonth doc, string borrower, DateTimeOffset requestedAt, DateTimeOffset filledAt,
        int pages, long feeFen, long subsidyFen, long rewardFen)
    {
        var hours = Math.Round((filledAt - requestedAt).TotalHours, 2);
        if (doc.Member == borrower)
        {
            doc.RequestsFilled++;
            doc.PagesReceived += pages;
            InsertInOrder(doc.BorrowerTurnaroundHours, hours);
        }
        else
        {
            doc.RequestsSupplied++;
            doc.PagesSupplied += pages;
            InsertInOrder(doc.LenderTurnaroundHours, hours);
        }
        Money(doc, borrower, feeFen, subsidyFen, rewardFen);
    }

    /// <summary>
    /// Turnaround values are kept in ascending order, so a month's document is the same whatever order its events were
    /// folded in (the daemon folds by sequence, the bulk rebuild stream by stream).
    /// </summary>
    private static void InsertInOrder(List<double> values, double value)
    {
        var at = values.BinarySearch(value);
        values.Insert(at < 0 ? ~at : at, value);
    }

    /// <summary>Fees paid are what the borrower's side was charged (the fee, of which the subsidy was paid for it).</summary>
    private static void Money(UsageMonth doc, string borrower, long feeFen, long subsidyFen, long rewardFen)
    {
        if (doc.Member == borrower)
        {
            doc.FeesPaidFen += feeFen - subsidyFen;
            doc.SubsidiesReceivedFen += subsidyFen;
        }
        else
        {
            doc.FeesReceivedFen += feeFen;
            doc.RewardsReceivedFen += rewardFen;
        }
    }
}
