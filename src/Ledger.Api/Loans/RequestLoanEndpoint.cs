using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;

namespace Ledger.Api.Loans;

public sealed record RequestLoanRequest(string? LoanId, string? Borrower, string? Lender, string? Title, decimal? MaximumCost, DateTimeOffset? At);

public sealed class RequestLoanValidator : AbstractValidator<RequestLoanRequest>
{
    public RequestLoanValidator()
    {
        RuleFor(x => x.LoanId).IsCode();
        RuleFor(x => x.Borrower).IsCode();
        RuleFor(x => x.Lender).IsCode();
        RuleFor(x => x.Title).IsText();
        RuleFor(x => x.MaximumCost).IsAmount();
    }
}

public static class RequestLoanEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/loans",
            (string alliance, RequestLoanRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, body.LoanId!,
                    new RequestLoan(body.LoanId!, body.Borrower!, body.Lender!, body.Title!,
                        body.MaximumCost is { } m ? Fen.FromAmount(m) : null, body.At ?? http.Now()),
                    StatusCodes.Status201Created))
        .Validate<RequestLoanRequest>()
        .RequireAuthorization(Policies.RecordActivity).WithName("RequestLoan").WithTags("Loans");
}
