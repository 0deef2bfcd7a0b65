using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Domain.Money;
using Ledger.Domain.Sharing;

namespace Ledger.Api.Sharing;

public sealed record FixedShareRequest(string? Member, decimal? Percent);

public sealed record FteTierRequest(int? FromFte, decimal? Price);

/// <summary>
/// How an amount is split: <c>equal</c>, <c>fte</c>, <c>usage</c>, <c>fixed</c> (percent per member), <c>mixed</c>
/// (basePercent equally, the rest by <c>restBy</c> = fte or usage) or <c>tiered</c> (price per FTE band as weight).
/// </summary>
public sealed record SplitRequest(SplitMethod? Method, decimal? BasePercent, SplitMethod? RestBy,
    IReadOnlyList<FixedShareRequest>? Fixed, IReadOnlyList<FteTierRequest>? Tiers)
{
    public SplitRule ToRule() => new(Method!.Value,
        BasePercent is { } b ? (int)(b * 100) : null,
        RestBy,
        Fixed?.Select(f => new FixedShare(f.Member!, (int)(f.Percent!.Value * 100))).ToList(),
        Tiers?.Select(t => new FteTier(t.FromFte!.Value, Fen.FromAmount(t.Price!.Value))).OrderBy(t => t.FromFte).ToList());

    public static SplitRequest From(SplitRule r) => new(r.Method, r.BaseBasisPoints / 100m, r.RestBy,
        r.Fixed?.Select(f => new FixedShareRequest(f.Member, f.BasisPoints / 100m)).ToList(),
        r.Tiers?.Select(t => new FteTierRequest(t.FromFte, Fen.ToAmount(t.PriceFen))).ToList());
}

public sealed class SplitValidator : AbstractValidator<SplitRequest>
{
    public SplitValidator()
    {
        RuleFor(x => x.Method).NotNull();
        RuleFor(x => x.BasePercent).NotNull().InclusiveBetween(0m, 100m).Must(TwoDecimals).WithMessage("at most two decimals")
            .When(x => x.Method == SplitMethod.Mixed);
        RuleFor(x => x.RestBy).NotNull().Must(r => r is SplitMethod.Fte or SplitMethod.Usage).WithMessage("must be fte or usage")
            .When(x => x.Method == SplitMethod.Mixed);
        RuleFor(x => x.BasePercent).Null().WithMessage("only a mixed split has a base").When(x => x.Method != SplitMethod.Mixed);
        RuleFor(x => x.RestBy).Null().WithMessage("only a mixed split has restBy").When(x => x.Method != SplitMethod.Mixed);
        RuleFor(x => x.Fixed).NotEmpty().Must(f => f is null || f.Count <= 2000).WithMessage("at most 2000 members")
            .When(x => x.Method == SplitMethod.Fixed);
        RuleFor(x => x.Fixed).Null().WithMessage("only a fixed split lists percentages").When(x => x.Method != SplitMethod.Fixed);
        RuleForEach(x => x.Fixed).NotNull().ChildRules(f =>
        {
            f.RuleFor(x => x.Member).IsCode();
            f.RuleFor(x => x.Percent).NotNull().InclusiveBetween(0m, 100m).Must(TwoDecimals).WithMessage("at most two decimals");
        });
        RuleFor(x => x.Tiers).NotEmpty().Must(t => t is null || t.Count <= 100).WithMessage("at most 100 tiers")
            .Must(t => t is null || t.Select(x => x?.FromFte).Distinct().Count() == t.Count).WithMessage("each tier starts at a different FTE")
            .When(x => x.Method == SplitMethod.Tiered);
        RuleFor(x => x.Tiers).Null().WithMessage("only a tiered split has tiers").When(x => x.Method != SplitMethod.Tiered);
        RuleForEach(x => x.Tiers).NotNull().ChildRules(t =>
        {
            t.RuleFor(x => x.FromFte).NotNull().InclusiveBetween(0, 10_000_000);
            t.RuleFor(x => x.Price).NotNull().IsAmount();
        });
    }

    private static bool TwoDecimals(decimal? d) => d is null || decimal.Round(d.Value, 2) == d;
}

/// <summary>One member's part of a split as the API shows it.</summary>
public sealed record ShareResponse(string Member, decimal Amount);

public static class Shares
{
    public static IReadOnlyList<ShareResponse> From(IEnumerable<Share> shares) =>
        shares.Select(s => new ShareResponse(s.Member, Fen.ToAmount(s.AmountFen))).ToList();
}
