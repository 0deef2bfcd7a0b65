using FluentValidation;
using Ledger.Domain.Money;

namespace Ledger.Api.Infrastructure;

/// <summary>Runs the FluentValidation validator of a body before the handler; a failure is a 400 naming each field.</summary>
public sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        // A required body that is missing never gets here (the binder rejects it); an optional one has nothing to check.
        if (body is null) return await next(context);
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        if (result.IsValid) return await next(context);
        var errors = result.Errors
            .GroupBy(e => JsonName(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray());
        return Problems.Result(400, Problems.RequestInvalid, "one or more fields are not valid", errors);
    }

    private static string JsonName(string property) =>
        string.Join('.', property.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

public static class ValidationExtensions
{
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();

    private const string CodePattern = @"^[A-Za-z0-9][A-Za-z0-9_.-]*\z";

    /// <summary>Codes and ids: letters, digits, '-', '_', '.', 1–64 characters.</summary>
    public static IRuleBuilderOptions<T, string?> IsCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(64).Matches(CodePattern)
            .WithMessage("must be 1–64 letters, digits, '-', '_' or '.', starting with a letter or digit");

    /// <summary>The same rule outside a validator (ids that arrive in a message rather than a body).</summary>
    public static bool IsValidCode(string? text) =>
        !string.IsNullOrEmpty(text) && text.Length <= 64 && System.Text.RegularExpressions.Regex.IsMatch(text, CodePattern);

    public static IRuleBuilderOptions<T, string?> IsText<T>(this IRuleBuilder<T, string?> rule, int max = 500) =>
        rule.NotEmpty().MaximumLength(max);

    /// <summary>An amount of money: at least 0, at most 10^12, at most two decimals.</summary>
    public static IRuleBuilderOptions<T, decimal?> IsAmount<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.Must(a => a is null || Fen.IsValidAmount(a.Value))
            .WithMessage("must be an amount from 0 to 1000000000000 with at most two decimals");
}
