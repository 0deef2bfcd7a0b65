using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Loans;
using Ledger.Projections.Loans;
using Marten;

namespace Ledger.Api.Loans;

public static class GetLoanEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapGet("/loans/{loanId}",
            (string alliance, string loanId, HttpContext http, IDocumentStore store) =>
                StreamReads.Get<LoanView, Loan>(http, store, alliance, StreamKeys.Loan(loanId), LoanCodes.LoanMustExist,
                    $"loan {loanId}", l => (l.Borrower, l.Lender), (l, v) => LoanResponse.From(l, v)))
        .RequireAuthorization(Policies.ReadActivity).WithName("GetLoan").WithTags("Loans");
}
