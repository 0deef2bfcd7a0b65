using FluentValidation;
using Ledger.Api.Charges;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;

namespace Ledger.Api.Loans;

public sealed record ShipLoanRequest(decimal? Charge, DateTimeOffset? At);

public sealed class ShipLoanValidator : AbstractValidator<ShipLoanRequest>
{
    public ShipLoanValidator() => RuleFor(x => x.Charge).IsAmount();
}

public sealed record LoanLostRequest(decimal? ReplacementCost, DateTimeOffset? At);

public sealed class LoanLostValidator : AbstractValidator<LoanLostRequest>
{
    public LoanLostValidator() => RuleFor(x => x.ReplacementCost).NotNull().IsAmount();
}

/// <summary>
/// The loan commands made from their request bodies (validated first), "now" being the default time: one mapping for
/// the HTTP endpoints and the queue.
/// </summary>
public static class LoanSteps
{
    public static RequestLoan Request(RequestLoanRequest b, DateTimeOffset now) =>
        new(b.LoanId!, b.Borrower!, b.Lender!, b.Title!, b.MaximumCost is { } m ? Fen.FromAmount(m) : null, b.At ?? now);

    public static ShipLoan Ship(ShipLoanRequest b, DateTimeOffset now) => new(b.Charge is { } c ? Fen.FromAmount(c) : null, b.At ?? now);

    public static ReceiveLoan Receive(AtRequest? b, DateTimeOffset now) => new(b?.At ?? now);

    public static ReturnLoan Return(AtRequest? b, DateTimeOffset now) => new(b?.At ?? now);

    public static MarkLoanUnfilled Unfilled(UnfilledRequest b, DateTimeOffset now) => new(b.Reason!, b.At ?? now);

    public static CancelLoan Cancel(ReasonRequest? b, DateTimeOffset now) => new(b?.Reason, b?.At ?? now);

    public static DeclareLoanLost Lost(LoanLostRequest b, DateTimeOffset now) => new(Fen.FromAmount(b.ReplacementCost!.Value), b.At ?? now);
}

/// <summary>Every step of a loan after its request: POST …/loans/{loanId}/{step}.</summary>
public static class LoanStepEndpoints
{
    public static void Map(RouteGroupBuilder alliance)
    {
        var loan = alliance.MapGroup("/loans/{loanId}").WithTags("Loans");

        loan.MapPost("/shipped", (string alliance, string loanId, ShipLoanRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Ship(body, http.Now())))
            .Validate<ShipLoanRequest>().RequireAuthorization(Policies.RecordActivity).WithName("ShipLoan");

        loan.MapPost("/received", (string alliance, string loanId, AtRequest? body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Receive(body, http.Now())))
            .RequireAuthorization(Policies.RecordActivity).WithName("ReceiveLoan");

        loan.MapPost("/returned", (string alliance, string loanId, AtRequest? body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Return(body, http.Now())))
            .RequireAuthorization(Policies.RecordActivity).WithName("ReturnLoan");

        loan.MapPost("/unfilled", (string alliance, string loanId, UnfilledRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Unfilled(body, http.Now())))
            .Validate<UnfilledRequest>().RequireAuthorization(Policies.RecordActivity).WithName("MarkLoanUnfilled");

        loan.MapPost("/cancelled", (string alliance, string loanId, ReasonRequest? body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Cancel(body, http.Now())))
            .Validate<ReasonRequest>().RequireAuthorization(Policies.RecordActivity).WithName("CancelLoan");

        loan.MapPost("/lost", (string alliance, string loanId, LoanLostRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, LoanSteps.Lost(body, http.Now())))
            .Validate<LoanLostRequest>().RequireAuthorization(Policies.RecordCharges).WithName("DeclareLoanLost");

        loan.MapPost("/charge-dispute", (string alliance, string loanId, DisputeResolutionRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, new ResolveLoanChargeDispute(body.Accept!.Value, body.Reason!, body.At ?? http.Now())))
            .Validate<DisputeResolutionRequest>().RequireAuthorization(Policies.Correct).WithName("ResolveLoanChargeDispute");

        loan.MapPost("/refunds", (string alliance, string loanId, RefundRequest body, HttpContext http, CommandRunner runner) =>
                LoanCommands.Run(http, runner, alliance, loanId, new RefundLoanCharge(body.RefundId!,
                    body.Charge ?? Domain.Charges.ChargeKind.Fee, Fen.FromAmount(body.Amount!.Value), body.Reason!, body.At ?? http.Now())))
            .Validate<RefundRequest>().RequireAuthorization(Policies.Correct).WithName("RefundLoanCharge");
    }
}
