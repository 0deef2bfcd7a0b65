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
        var caller = http.Caller();
        var result = await runner.Run<LoanView, Loan>(caller.Recorder(), alliance, StreamKeys.Loan(loanId), Http.ExpectedVersion(http.Request),
            SettlementLock.Shared, async (session, state, a) =>
            {
                Parties.MayRecord(caller, SideOf(command), (command as RequestLoan)?.Borrower,
                    state is null ? null : (state.Borrower, state.Lender), LoanCodes.LoanMustExist, $"loan {loanId}");
                var known = CommandRunner.AllianceOrNotFound(a, alliance);
                return LoanDecider.Decide(loanId, await Grants.Funded(session, known, command, state, http.RequestAborted), state, known);
            },
            http.RequestAborted);
        return http.Answer(LoanResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/loans/{loanId}" : null);
    }

    /// <summary>The borrower requests, receives, returns and cancels; the lender ships or says it cannot.</summary>
    public static Side SideOf(ILoanCommand command) => command switch
    {
        RequestLoan or ReceiveLoan or ReturnLoan or CancelLoan => Side.Requester,
        ShipLoan or MarkLoanUnfilled => Side.Supplier,
        _ => Side.NotAMemberStep,
    };
}
