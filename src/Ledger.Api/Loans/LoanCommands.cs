using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.Loans;
using Ledger.Projections.Loans;

namespace Ledger.Api.Loans;

public static class LoanCommands
{
    public static async Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string loanId,
        ILoanCommand command, int successStatus = StatusCodes.Status200OK)
    {
        var result = await runner.Run<LoanView, Loan>(alliance, StreamKeys.Loan(loanId), Http.ExpectedVersion(http.Request),
            (state, a) => LoanDecider.Decide(loanId, command, state, CommandRunner.AllianceOrNotFound(a, alliance)),
            http.RequestAborted);
        return http.Answer(LoanResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/loans/{loanId}" : null);
    }
}
