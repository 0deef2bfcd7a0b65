using Ledger.Domain.Alliances;
using Ledger.Domain.Charges;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.CostShares;

// A shared cost (platform operation, courier logistics): declared with purpose, amount, rule and participants →
// allocated (debit each participant's share, credit the payee: the member or vendor that bore the cost) → corrected
// (reallocated: old shares reversed, new ones posted, one event) or reversed entirely.

public interface ICostShareCommand { DateTimeOffset At { get; } }
public interface ICostShareEvent;

/// <summary>A participant of a cost share and, for a usage rule, its usage.</summary>
public sealed record CostShareParticipant(string Member, long? Usage);

public sealed record DeclareCostShare(
    string CostShareId, string Purpose, long AmountFen, SplitRule Rule, IReadOnlyList<CostShareParticipant> Participants,
    string PayeeAccount, DateTimeOffset At) : ICostShareCommand;

public sealed record AllocateCostShare(DateTimeOffset At) : ICostShareCommand;

public sealed record CorrectCostShare(long AmountFen, IReadOnlyList<CostShareParticipant> Participants, string Reason, DateTimeOffset At) : ICostShareCommand;

public sealed record ReverseCostShare(string Reason, DateTimeOffset At) : ICostShareCommand;

public sealed record CostShareDeclared(
    string CostShareId, string Purpose, long AmountFen, SplitRule Rule, IReadOnlyList<CostShareParticipant> Participants,
    string PayeeAccount, DateTimeOffset DeclaredAt) : ICostShareEvent;

public sealed record CostShareAllocated(
    string CostShareId, long AmountFen, string PayeeAccount, SplitRule Rule, string RuleVersion, DateOnly AllocationDate,
    IReadOnlyList<Participant> Inputs, IReadOnlyList<Share> Shares, DateOnly BusinessDate) : ICostShareEvent;

public sealed record CostShareReallocated(
    string CostShareId, string Reason, string PayeeAccount, long PreviousAmountFen, long AmountFen, SplitRule Rule, string RuleVersion,
    IReadOnlyList<CostShareParticipant> Participants, IReadOnlyList<Participant> Inputs,
    IReadOnlyList<Share> PreviousShares, IReadOnlyList<Share> Shares, DateOnly BusinessDate) : ICostShareEvent;

public sealed record CostShareReversed(
    string CostShareId, string Reason, string PayeeAccount, long AmountFen, IReadOnlyList<Share> ReversedShares, DateOnly BusinessDate) : ICostShareEvent;

public enum CostShareStatus { Declared, Allocated, Reversed }

public sealed record CostShare(
    string Id, string Purpose, long AmountFen, SplitRule Rule, IReadOnlyList<CostShareParticipant> Participants, string PayeeAccount,
    CostShareStatus Status, DateTimeOffset DeclaredAt, DateOnly? AllocationDate, IReadOnlyList<Participant> Inputs,
    IReadOnlyList<Share> Shares, IReadOnlyList<string> Corrections);

public static class CostShareCodes
{
    public const string CostShareMustExist = "cost_share_must_exist";
    public const string CostShareIdReused = "cost_share_id_must_not_be_reused";
    public const string CostShareMustBeAllocated = "cost_share_must_be_allocated";
    public const string CostShareMustNotBeReversed = "cost_share_must_not_be_reversed";
    public const string ParticipantsMustBeDistinct = "participants_must_be_distinct";
}

public static class CostShareDecider
{
    public static ICostShareEvent[] Decide(string id, ICostShareCommand command, CostShare? state, Alliance alliance)
    {
        var date = alliance.BusinessDate(command.At);
        return (command, state) switch
        {
            (DeclareCostShare c, null) => Declare(c, alliance, date),
            (DeclareCostShare c, { } s) => Same(c, s) ? [] : throw new Rejected(CostShareCodes.CostShareIdReused),
            (_, null) => throw new NotFound(CostShareCodes.CostShareMustExist, $"cost share {id} does not exist"),
            (_, { Status: CostShareStatus.Reversed }) => command is ReverseCostShare ? [] : throw new Rejected(CostShareCodes.CostShareMustNotBeReversed),
            (AllocateCostShare, { Status: CostShareStatus.Allocated }) => [],
            (AllocateCostShare, { } s) => [Allocate(s, alliance, date)],
            (CorrectCostShare, { Status: not CostShareStatus.Allocated }) => throw new Rejected(CostShareCodes.CostShareMustBeAllocated),
            (CorrectCostShare c, { } s) => Correct(c, s, alliance, date),
            (ReverseCostShare, { Status: not CostShareStatus.Allocated }) => throw new Rejected(CostShareCodes.CostShareMustBeAllocated),
            (ReverseCostShare c, { } s) => [new CostShareReversed(s.Id, c.Reason, s.PayeeAccount, s.AmountFen, s.Shares, date)],
            _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
        };
    }

    private static ICostShareEvent[] Declare(DeclareCostShare c, Alliance alliance, DateOnly date)
    {
        MustBeParticipants(c.Participants, alliance, date);
        Splitter.MustBeSound(c.Rule, c.Participants.Select(p => p.Member).ToList());
        // The payee bore the cost: a vendor, or a member on the date (a library outside the alliance has no statement
        // that could show the credit, nor a payment that could settle it).
        if (Ledger.Account.IsMember(c.PayeeAccount))
        {
            var code = c.PayeeAccount["member:".Length..];
            var payee = alliance.MemberOrNull(code) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"the payee {code} is no member of {alliance.Code}");
            if (!payee.IsMemberOn(date)) throw new Rejected(ChargeCodes.MemberMustBeAdmitted, $"the payee {code} is not a member on {date:yyyy-MM-dd}");
        }
        return [new CostShareDeclared(c.CostShareId, c.Purpose, c.AmountFen, c.Rule, c.Participants, c.PayeeAccount, c.At)];
    }

    private static bool Same(DeclareCostShare c, CostShare s) =>
        c.Purpose == s.Purpose && c.AmountFen == s.AmountFen && c.Rule.SameAs(s.Rule) && c.PayeeAccount == s.PayeeAccount &&
        c.Participants.SequenceEqual(s.Participants);

    private static CostShareAllocated Allocate(CostShare s, Alliance alliance, DateOnly date)
    {
        var inputs = Inputs(s.Participants, alliance, date);
        return new CostShareAllocated(s.Id, s.AmountFen, s.PayeeAccount, s.Rule, Splitter.RuleVersion, date, inputs,
            Splitter.Split(s.AmountFen, inputs, s.Rule), date);
    }

    private static ICostShareEvent[] Correct(CorrectCostShare c, CostShare s, Alliance alliance, DateOnly date)
    {
        if (c.AmountFen == s.AmountFen && c.Participants.SequenceEqual(s.Participants)) return [];
        MustBeParticipants(c.Participants, alliance, s.AllocationDate!.Value);
        var inputs = Inputs(c.Participants, alliance, s.AllocationDate!.Value);
        var shares = Splitter.Split(c.AmountFen, inputs, s.Rule);
        return [new CostShareReallocated(s.Id, c.Reason, s.PayeeAccount, s.AmountFen, c.AmountFen, s.Rule, Splitter.RuleVersion,
            c.Participants, inputs, s.Shares, shares, date)];
    }

    private static List<Participant> Inputs(IReadOnlyList<CostShareParticipant> participants, Alliance alliance, DateOnly date) =>
        participants.Select(p => new Participant(p.Member, alliance.MemberOrNull(p.Member)?.FteOn(date) ?? 0, p.Usage)).ToList();

    private static void MustBeParticipants(IReadOnlyList<CostShareParticipant> participants, Alliance alliance, DateOnly date)
    {
        if (participants.Select(p => p.Member).Distinct().Count() != participants.Count)
            throw new Rejected(CostShareCodes.ParticipantsMustBeDistinct);
        foreach (var p in participants)
        {
            var member = alliance.MemberOrNull(p.Member) ?? throw new NotFound(AllianceCodes.MemberMustExist, $"member {p.Member} does not exist in {alliance.Code}");
            if (!member.IsMemberOn(date)) throw new Rejected(ChargeCodes.MemberMustBeAdmitted, $"{p.Member} is not a member on {date:yyyy-MM-dd}");
        }
    }

    public static CostShare Evolve(CostShare? state, ICostShareEvent e) => (state, e) switch
    {
        (null, CostShareDeclared d) => new CostShare(d.CostShareId, d.Purpose, d.AmountFen, d.Rule, d.Participants, d.PayeeAccount,
            CostShareStatus.Declared, d.DeclaredAt, null, [], [], []),
        ({ } s, CostShareAllocated a) => s with { Status = CostShareStatus.Allocated, AllocationDate = a.AllocationDate, Inputs = a.Inputs, Shares = a.Shares },
        ({ } s, CostShareReallocated r) => s with
        {
            AmountFen = r.AmountFen,
            Participants = r.Participants,
            Inputs = r.Inputs,
            Shares = r.Shares,
            Corrections = [.. s.Corrections, r.Reason],
        },
        ({ } s, CostShareReversed r) => s with { Status = CostShareStatus.Reversed, Corrections = [.. s.Corrections, r.Reason] },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name} to {(state is null ? "no cost share" : "a cost share")}"),
    };
}
