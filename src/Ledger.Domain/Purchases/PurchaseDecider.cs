using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.Purchases;

public static class PurchaseDecider
{
    public static IPurchaseEvent[] Decide(string purchaseId, IPurchaseCommand command, JointPurchase? state, Alliance alliance)
    {
        var date = alliance.BusinessDate(command.At);
        return (command, state) switch
        {
            (ProposePurchase c, null) => Propose(c),
            (ProposePurchase c, { } s) => SameProposal(c, s) ? [] : throw new Rejected(PurchaseCodes.PurchaseIdReused),
            (_, null) => throw new NotFound(PurchaseCodes.PurchaseMustExist, $"joint purchase {purchaseId} does not exist"),
            (JoinPurchase c, { } s) => Join(c, s, alliance, date),
            (WithdrawFromPurchase c, { } s) => Withdraw(c, s, alliance, date),
            (RecordPurchaseUsage c, { } s) => RecordUsage(c, s, alliance, date),
            (InvoicePurchase c, { } s) => InvoiceIt(c, s),
            (AllocatePurchase, { } s) => Allocate(s, alliance, date),
            (CoverPurchase c, { } s) => CoverIt(c, s, date),
            (PayVendor c, { } s) => Pay(c, s),
            _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
        };
    }

    private static IPurchaseEvent[] Propose(ProposePurchase c)
    {
        if (c.LicenceTo < c.LicenceFrom) throw new Rejected(PurchaseCodes.LicencePeriodMustBeOrdered);
        Splitter.MustBeSound(c.Rule);
        return [new PurchaseProposed(c.PurchaseId, c.Resource, c.Vendor, c.LicenceFrom, c.LicenceTo, c.ListPriceFen, c.Rule, c.Metric, c.At)];
    }

    private static bool SameProposal(ProposePurchase c, JointPurchase s) =>
        c.Resource == s.Resource && c.Vendor == s.Vendor && c.LicenceFrom == s.LicenceFrom && c.LicenceTo == s.LicenceTo &&
        c.ListPriceFen == s.ListPriceFen && c.Rule.SameAs(s.Rule) && c.Metric == s.Metric;

    private static IPurchaseEvent[] Join(JoinPurchase c, JointPurchase s, Alliance alliance, DateOnly date)
    {
        if (s.Participants.Contains(c.Member)) return [];
        if (s.Withdrawn.Contains(c.Member)) throw new Rejected(PurchaseCodes.MemberMustNotHaveWithdrawn, $"{c.Member} withdrew from {s.Id}");
        MustBeMember(alliance, c.Member, date);
        var joined = new PurchaseJoined(s.Id, c.Member, c.At);
        return Reallocating(s, joined, $"{c.Member} joined", alliance, date);
    }

    private static IPurchaseEvent[] Withdraw(WithdrawFromPurchase c, JointPurchase s, Alliance alliance, DateOnly date)
    {
        if (s.Withdrawn.Contains(c.Member)) return [];
        if (!s.Participants.Contains(c.Member))
            throw new Rejected(PurchaseCodes.MemberMustTakePart, $"{c.Member} does not take part in {s.Id}");
        var withdrawn = new PurchaseWithdrawn(s.Id, c.Member, c.Reason, c.At);
        return Reallocating(s, withdrawn, $"{c.Member} withdrew: {c.Reason}", alliance, date);
    }

    private static IPurchaseEvent[] RecordUsage(RecordPurchaseUsage c, JointPurchase s, Alliance alliance, DateOnly date)
    {
        if (!s.Participants.Contains(c.Member))
            throw new Rejected(PurchaseCodes.MemberMustTakePart, $"{c.Member} does not take part in {s.Id}");
        if (s.Usage.TryGetValue(c.Member, out var known) && known.Sha256 == c.Usage.Sha256 && known.Metric == c.Usage.Metric) return [];
        var recorded = new PurchaseUsageRecorded(s.Id, c.Member, c.Usage, c.At);
        // Usage only moves money when the rule weighs it and the shares exist.
        return s.Rule.UsesUsage
            ? Reallocating(s, recorded, $"usage of {c.Member} restated ({c.Usage.Count} {c.Usage.Metric})", alliance, date)
            : [recorded];
    }

    private static IPurchaseEvent[] InvoiceIt(InvoicePurchase c, JointPurchase s)
    {
        if (s.Invoice is { } i)
            return i.Number == c.InvoiceNumber && i.AmountFen == c.AmountFen && i.InvoiceDate == c.InvoiceDate
                ? []
                : throw new Rejected(PurchaseCodes.InvoiceMustNotChange, $"{s.Id} is already invoiced ({i.Number})");
        return [new PurchaseInvoiced(s.Id, s.Vendor, c.InvoiceNumber, c.AmountFen, c.InvoiceDate, c.InvoiceDate)];
    }

    private static IPurchaseEvent[] Allocate(JointPurchase s, Alliance alliance, DateOnly date)
    {
        if (s.Status == PurchaseStatus.Allocated) return [];
        var invoice = s.Invoice ?? throw new Rejected(PurchaseCodes.PurchaseMustBeInvoiced);
        var inputs = Inputs(s, alliance, date);
        var shares = Splitter.Split(invoice.AmountFen, inputs, s.Rule);
        return [new PurchaseAllocated(s.Id, invoice.AmountFen, s.Rule, Splitter.RuleVersion, date, inputs, shares, date)];
    }

    private static IPurchaseEvent[] CoverIt(CoverPurchase c, JointPurchase s, DateOnly date)
    {
        if (s.Status != PurchaseStatus.Allocated) throw new Rejected(PurchaseCodes.PurchaseMustBeAllocated);
        if (s.Covers.FirstOrDefault(x => x.FundingReference == c.FundingReference) is { } existing)
            return existing.AmountFen == c.AmountFen ? [] : throw new Rejected(PurchaseCodes.CoverMustNotChange);
        var remaining = s.Shares.Sum(x => x.AmountFen) - s.CoveredFen;
        if (c.AmountFen > remaining)
            throw new Rejected(PurchaseCodes.CoverMustNotExceedShares, $"members pay {remaining} fen after earlier covers");
        Funding.SubProjectDecider.Enough(c.AmountFen, c.GrantAvailableFen);
        return [new PurchaseCovered(s.Id, SplitCover(c.FundingReference, c.AmountFen, Net(s.Shares, s.Covers)) with { BudgetLine = c.BudgetLine }, date)];
    }

    private static IPurchaseEvent[] Pay(PayVendor c, JointPurchase s)
    {
        var invoice = s.Invoice ?? throw new Rejected(PurchaseCodes.PurchaseMustBeInvoiced, "a vendor is paid against an invoice");
        if (s.VendorPayments.FirstOrDefault(p => p.PaymentId == c.PaymentId) is { } existing)
            return existing.AmountFen == c.AmountFen && existing.PaidOn == c.PaidOn && existing.BankReference == c.BankReference
                ? []
                : throw new Rejected(PurchaseCodes.VendorPaymentIdReused);
        if (s.VendorPaidFen + c.AmountFen > invoice.AmountFen)
            throw new Rejected(PurchaseCodes.VendorPaymentMustNotExceedInvoice, $"{invoice.AmountFen - s.VendorPaidFen} fen is left to pay");
        return [new VendorPaid(s.Id, s.Vendor, c.PaymentId, c.AmountFen, c.PaidOn, c.BankReference, c.PaidOn)];
    }

    /// <summary>
    /// The change itself, and when the purchase is already allocated a reallocation on the state after it: old shares
    /// and covers reversed, new ones computed on the same allocation date and the same covers re-split.
    /// </summary>
    private static IPurchaseEvent[] Reallocating(JointPurchase s, IPurchaseEvent change, string reason, Alliance alliance, DateOnly date)
    {
        if (s.Status != PurchaseStatus.Allocated) return [change];
        var after = Evolve(s, change);
        var inputs = Inputs(after, alliance, s.AllocationDate!.Value);
        var total = s.Invoice!.AmountFen;
        var shares = Splitter.Split(total, inputs, s.Rule);
        if (s.CoveredFen > total) throw new Rejected(PurchaseCodes.CoverMustNotExceedShares);
        var covers = new List<Cover>();
        foreach (var cover in s.Covers)
            covers.Add(SplitCover(cover.FundingReference, cover.AmountFen, Net(shares, covers)) with { BudgetLine = cover.BudgetLine });
        return
        [
            change,
            new PurchaseReallocated(s.Id, reason, total, s.Rule, Splitter.RuleVersion, s.AllocationDate.Value, inputs,
                s.Shares, shares, s.Covers, covers, date),
        ];
    }

    /// <summary>The participants with their FTE on the allocation date and their recorded usage.</summary>
    private static List<Participant> Inputs(JointPurchase s, Alliance alliance, DateOnly allocationDate) =>
        s.Participants.Order(StringComparer.Ordinal).Select(m => new Participant(m,
            alliance.MemberOrNull(m)?.FteOn(allocationDate) ?? 0,
            s.Usage.TryGetValue(m, out var u) ? u.Count : null)).ToList();

    /// <summary>What each member still pays after the given covers.</summary>
    private static List<Share> Net(IReadOnlyList<Share> shares, IReadOnlyList<Cover> covers) =>
        shares.Select(x => new Share(x.Member, x.AmountFen - covers.Sum(c => c.Split.FirstOrDefault(y => y.Member == x.Member)?.AmountFen ?? 0)))
            .ToList();

    private static Cover SplitCover(string reference, long amountFen, IReadOnlyList<Share> payingNow)
    {
        var paying = payingNow.Where(x => x.AmountFen > 0).ToList();
        if (amountFen == 0 || paying.Count == 0) return new Cover(reference, amountFen, []);
        var parts = Money.Allocation.LargestRemainder(amountFen, paying.Select(x => x.AmountFen).ToList());
        return new Cover(reference, amountFen, paying.Select((x, i) => new Share(x.Member, parts[i])).ToList());
    }

    private static void MustBeMember(Alliance alliance, string code, DateOnly date)
    {
        var member = alliance.MemberOrNull(code) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {code} does not exist in {alliance.Code}");
        if (!member.IsMemberOn(date)) throw new Rejected(ChargeCodes.MemberMustBeAdmitted, $"{code} is not a member on {date:yyyy-MM-dd}");
    }


    public static JointPurchase Evolve(JointPurchase? state, IPurchaseEvent e) => (state, e) switch
    {
        (null, PurchaseProposed p) => new JointPurchase(p.PurchaseId, p.Resource, p.Vendor, p.LicenceFrom, p.LicenceTo, p.ListPriceFen,
            p.Rule, p.Metric, PurchaseStatus.Proposed, p.ProposedAt, [], [], new Dictionary<string, CounterUsage>(), null, null, [], [], [], []),
        ({ } s, PurchaseJoined j) => s with { Participants = [.. s.Participants, j.Member] },
        ({ } s, PurchaseWithdrawn w) => s with { Participants = s.Participants.Where(m => m != w.Member).ToList(), Withdrawn = [.. s.Withdrawn, w.Member] },
        ({ } s, PurchaseUsageRecorded u) => s with { Usage = new Dictionary<string, CounterUsage>(s.Usage) { [u.Member] = u.Usage } },
        ({ } s, PurchaseInvoiced i) => s with { Invoice = new Invoice(i.InvoiceNumber, i.AmountFen, i.InvoiceDate), Status = PurchaseStatus.Invoiced },
        ({ } s, PurchaseAllocated a) => s with { Status = PurchaseStatus.Allocated, AllocationDate = a.AllocationDate, Inputs = a.Inputs, Shares = a.Shares },
        ({ } s, PurchaseCovered c) => s with { Covers = [.. s.Covers, c.Cover] },
        ({ } s, PurchaseReallocated r) => s with { Inputs = r.Inputs, Shares = r.Shares, Covers = r.Covers },
        ({ } s, VendorPaid v) => s with { VendorPayments = [.. s.VendorPayments, new VendorPayment(v.PaymentId, v.AmountFen, v.PaidOn, v.BankReference)] },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name} to {(state is null ? "no purchase" : "a purchase")}"),
    };
}
