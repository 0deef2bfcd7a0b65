using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Loans;
using Ledger.Projections.Loans;

namespace Ledger.Api.Loans;

public static class LoanCommands
{
    public static async Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string loanId,
        ILoanCommand command, int successStatus = StatusCodes.Status200OK)
    {
        var result = await Execute(http, runner, alliance, loanId, command, Http.ExpectedVersion(http.Request));
        return http.Answer(LoanResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/loans/{loanId}" : null);
    }

    /// <summary>A loan command as the caller: its party checks, the grant's funds, the one command path.</summary>
    public static Task<CommandResult<Loan>> Execute(HttpContext http, CommandRunner runner, string alliance, string loanId, ILoanCommand command,
        long? expectedVersion = null) =>
        Execute(http.Caller(), runner, alliance, loanId, command, expectedVersion, http.RequestAborted);

    public static Task<CommandResult<Loan>> Execute(Caller caller, CommandRunner runner, string alliance, string loanId, ILoanCommand command,
        long? expectedVersion, CancellationToken ct) =>
        runner.Run<LoanView, Loan>(caller.Recorder(), alliance, StreamKeys.Loan(loanId), expectedVersion,
            SettlementLock.Shared, async (session, state, a) =>
            {
                Parties.MayRecord(caller, SideOf(command), (command as RequestLoan)?.Borrower,
                    state is null ? null : (state.Borrower, state.Lender), LoanCodes.LoanMustExist, $"loan {loanId}");
                var known = CommandRunner.AllianceOrNotFound(a, alliance);
                return LoanDecider.Decide(loanId, await Grants.Funded(session, known, command, state, ct), state, known);
            },
            ct);

    /// <summary>The borrower requests, receives, returns and cancels; the lender ships or says it cannot.</summary>
    public static Side SideOf(ILoanCommand command) => command switch
    {
        RequestLoan or ReceiveLoan or ReturnLoan or CancelLoan => Side.Requester,
        ResolveLoanChargeDispute => Side.NotAMemberStep,
        ShipLoan or MarkLoanUnfilled => Side.Supplier,
        _ => Side.NotAMemberStep,
    };
}
