using Ledger.Domain.Alliances;

namespace Ledger.Domain.Settlement;

// Settlement periods of an alliance, in one stream per alliance. Periods close in order, from the period of the
// alliance's founding, once they have ended. A closed period is the set of postings with a business date up to its
// last day and an event sequence up to its high-water mark, minus the set of the period before: so a late event
// (dated in a closed period, recorded after it closed) falls into the first open period and keeps its business date.
// The netting of that set is computed outside (it reads the postings) and recorded in the PeriodClosed event, with a
// digest of every member's statement, so a statement fetched later can be proven to be the one issued.

public interface ISettlementCommand { DateTimeOffset At { get; } }
public interface ISettlementEvent;

public sealed record ChooseSettlementPeriods(PeriodFrequency Frequency, DateTimeOffset At) : ISettlementCommand;

/// <summary>Close a period with its netting, computed from the postings under the close's lock.</summary>
public sealed record ClosePeriod(string PeriodKey, long HighWaterSequence, PeriodNetting Netting, DateTimeOffset At) : ISettlementCommand;

public sealed record SettlementPeriodsChosen(PeriodFrequency Frequency, DateTimeOffset ChosenAt) : ISettlementEvent;

/// <summary>One account's position in a period: opening balance, the period's movement, closing balance (fen).</summary>
public sealed record AccountPosition(string Account, long OpeningFen, long MovementFen, long ClosingFen);

/// <summary>The net amount that flowed from one account to another in the period (From paid To).</summary>
public sealed record BilateralFlow(string From, string To, long AmountFen);

/// <summary>What a member's statement for the period says, and the digest of its lines.</summary>
public sealed record StatementSummary(string Member, long OpeningFen, long MovementFen, long ClosingFen, int Lines, string Digest);

public sealed record PeriodNetting(
    IReadOnlyList<AccountPosition> Accounts, IReadOnlyList<BilateralFlow> Bilateral, IReadOnlyList<StatementSummary> Statements, int Postings);

public sealed record PeriodClosed(
    string PeriodKey, DateOnly From, DateOnly To, long HighWaterSequence, long PreviousHighWaterSequence, DateOnly? PreviousTo,
    PeriodNetting Netting, DateTimeOffset ClosedAt) : ISettlementEvent;

public sealed record ClosedPeriod(string Key, DateOnly From, DateOnly To, long HighWaterSequence, DateTimeOffset ClosedAt);

public sealed record SettlementState(PeriodFrequency Frequency, IReadOnlyList<ClosedPeriod> Closed)
{
    public static readonly SettlementState Default = new(PeriodFrequency.Monthly, []);

    public ClosedPeriod? LastClosed => Closed.Count == 0 ? null : Closed[^1];

    /// <summary>The oldest period not closed yet: after the last closed one, or the period of the founding date.</summary>
    public Period FirstOpen(Alliance alliance) => LastClosed is { } last
        ? Period.Containing(last.To.AddDays(1), Frequency)
        : Period.Containing(alliance.BusinessDate(alliance.FoundedAt), Frequency);
}

public static class SettlementCodes
{
    public const string PeriodMustBeFirstOpen = "period_must_be_the_first_open_period";
    public const string PeriodMustHaveEnded = "period_must_have_ended_to_close";
    public const string FrequencyMustNotChangeAfterClose = "settlement_frequency_must_not_change_after_a_close";
    public const string PeriodMustBeClosed = "period_must_be_closed";
    public const string PeriodKeyInvalid = "period_key_must_match_the_frequency";
}

public static class SettlementDecider
{
    public static ISettlementEvent[] Decide(ISettlementCommand command, SettlementState? state, Alliance alliance)
    {
        var s = state ?? SettlementState.Default;
        return command switch
        {
            ChooseSettlementPeriods c when c.Frequency == s.Frequency && state is not null => [],
            ChooseSettlementPeriods when s.Closed.Count > 0 => throw new Rejected(SettlementCodes.FrequencyMustNotChangeAfterClose),
            ChooseSettlementPeriods c => [new SettlementPeriodsChosen(c.Frequency, c.At)],
            ClosePeriod c => Close(c, s, alliance),
            _ => throw new InvalidOperationException($"unhandled command {command.GetType().Name}"),
        };
    }

    /// <summary>The period a close names, checked: it must be the first open period and have ended.</summary>
    public static Period PeriodToClose(string key, SettlementState s, Alliance alliance, DateTimeOffset now)
    {
        var period = Period.Parse(key, s.Frequency)
                     ?? throw new Rejected(SettlementCodes.PeriodKeyInvalid, $"'{key}' is not a {s.Frequency.ToString().ToLowerInvariant()} period");
        var open = s.FirstOpen(alliance);
        if (period.Key != open.Key)
            throw new Rejected(SettlementCodes.PeriodMustBeFirstOpen, $"the first open period is {open.Key}; periods close in order");
        if (period.To >= alliance.BusinessDate(now))
            throw new Rejected(SettlementCodes.PeriodMustHaveEnded, $"{period.Key} ends on {period.To:yyyy-MM-dd}");
        return period;
    }

    private static ISettlementEvent[] Close(ClosePeriod c, SettlementState s, Alliance alliance)
    {
        if (s.Closed.Any(p => p.Key == c.PeriodKey)) return []; // closing again is a retry: the period never changes
        var period = PeriodToClose(c.PeriodKey, s, alliance, c.At);
        return [new PeriodClosed(period.Key, period.From, period.To, c.HighWaterSequence, s.LastClosed?.HighWaterSequence ?? 0,
            s.LastClosed?.To, c.Netting, c.At)];
    }

    public static SettlementState Evolve(SettlementState? state, ISettlementEvent e) => (state ?? SettlementState.Default, e) switch
    {
        (var s, SettlementPeriodsChosen c) => s with { Frequency = c.Frequency },
        (var s, PeriodClosed p) => s with { Closed = [.. s.Closed, new ClosedPeriod(p.PeriodKey, p.From, p.To, p.HighWaterSequence, p.ClosedAt)] },
        _ => throw new InvalidOperationException($"cannot apply {e.GetType().Name}"),
    };
}
