using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;

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
                LoanCommands.Run(http, runner, alliance, body.LoanId!, LoanSteps.Request(body, http.Now()), StatusCodes.Status201Created))
        .Validate<RequestLoanRequest>()
        .RequireAuthorization(Policies.RecordActivity).WithName("RequestLoan").WithTags("Loans");
}
