using Ledger.Domain.Alliances;
using Ledger.Domain.Loans;

namespace Ledger.Domain.Tests.Loans;

/// <summary>Given events, when a command: the decider's answer, with the state folded from the givens.</summary>
public sealed class LoanScenario(Alliance alliance)
{
    public Loan? State { get; private set; }

    public static LoanScenario New() => new(TestAlliance.Build());

    public static readonly RequestLoan Request = new("L1", "XZMU", "NJU", "Harrison's", 60_00, TestAlliance.At("2026-10-12T08:30:00"));

    public ILoanEvent[] When(ILoanCommand command)
    {
        var events = LoanDecider.Decide("L1", command, State, alliance);
        foreach (var e in events) State = LoanDecider.Evolve(State, e);
        return events;
    }

    public LoanScenario Given(params ILoanCommand[] commands)
    {
        foreach (var c in commands) When(c);
        return this;
    }

    public static DateTimeOffset Later(int hours) => Request.At.AddHours(hours);
}
