using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Alliances;
using Ledger.Domain.Money;

namespace Ledger.Api.Alliances;

public sealed record SubsidyRuleRequest(string? RegionGroup, decimal? RatePercent, decimal? Cap);

public sealed record SetFeePolicyRequest(
    DateOnly? EffectiveFrom, decimal? LoanFee, decimal? DeliveryBaseFee, decimal? PerPageFee, decimal? RushSurcharge,
    decimal? SupplierReward, IReadOnlyList<SubsidyRuleRequest>? Subsidies, string? FundingReference, string? BudgetLine = null);

public sealed class SetFeePolicyValidator : AbstractValidator<SetFeePolicyRequest>
{
    public SetFeePolicyValidator()
    {
        RuleFor(x => x.EffectiveFrom).NotNull();
        RuleFor(x => x.LoanFee).NotNull().IsAmount();
        RuleFor(x => x.DeliveryBaseFee).NotNull().IsAmount();
        RuleFor(x => x.PerPageFee).NotNull().IsAmount();
        RuleFor(x => x.RushSurcharge).IsAmount();
        RuleFor(x => x.SupplierReward).IsAmount();
        RuleFor(x => x.FundingReference).IsCode().When(x => x.FundingReference is not null);
        RuleFor(x => x.BudgetLine).IsCode().When(x => x.BudgetLine is not null);
        RuleFor(x => x.BudgetLine).Null().WithMessage("a budget line needs a fundingReference").When(x => x.FundingReference is null);
        RuleFor(x => x.Subsidies).Must(s => s is null || s.Count <= 100).WithMessage("at most 100 subsidy rules")
            .Must(s => s is null || s.Select(r => r?.RegionGroup).Distinct().Count() == s.Count)
            .WithMessage("each region group may have one rule");
        RuleForEach(x => x.Subsidies).NotNull().ChildRules(r =>
        {
            r.RuleFor(x => x.RegionGroup).IsCode();
            r.RuleFor(x => x.RatePercent).NotNull().InclusiveBetween(0m, 100m)
                .Must(p => p is null || decimal.Round(p.Value, 2) == p).WithMessage("at most two decimals");
            r.RuleFor(x => x.Cap).NotNull().IsAmount();
        });
    }
}

public static class SetFeePolicyEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/fee-policies",
            (string alliance, SetFeePolicyRequest body, HttpContext http, CommandRunner runner) =>
            {
                var policy = new FeePolicy(body.EffectiveFrom!.Value, Fen.FromAmount(body.LoanFee!.Value),
                    Fen.FromAmount(body.DeliveryBaseFee!.Value), Fen.FromAmount(body.PerPageFee!.Value),
                    Fen.FromAmount(body.RushSurcharge ?? 0), Fen.FromAmount(body.SupplierReward ?? 0),
                    (body.Subsidies ?? []).Select(s => new SubsidyRule(s.RegionGroup!,
                        (int)(s.RatePercent!.Value * 100), Fen.FromAmount(s.Cap!.Value))).ToList(),
                    body.FundingReference, body.BudgetLine);
                return AllianceCommands.Run(http, runner, alliance, new SetFeePolicy(policy));
            })
        .Validate<SetFeePolicyRequest>()
        .RequireAuthorization(Policies.Administer).WithName("SetFeePolicy").WithTags("Alliances");
}
