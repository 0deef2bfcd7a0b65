using Ledger.Domain.Alliances;
using Ledger.Domain.Money;

namespace Ledger.Api.Alliances;

public sealed record SubsidyRuleResponse(string RegionGroup, decimal RatePercent, decimal Cap);

public sealed record FeePolicyResponse(
    DateOnly EffectiveFrom, decimal LoanFee, decimal DeliveryBaseFee, decimal PerPageFee, decimal RushSurcharge,
    decimal SupplierReward, IReadOnlyList<SubsidyRuleResponse> Subsidies, string? FundingReference, string? BudgetLine)
{
    public static FeePolicyResponse From(FeePolicy p) => new(p.EffectiveFrom, Fen.ToAmount(p.LoanFeeFen),
        Fen.ToAmount(p.DeliveryBaseFeeFen), Fen.ToAmount(p.PerPageFen), Fen.ToAmount(p.RushSurchargeFen),
        Fen.ToAmount(p.SupplierRewardFen),
        p.Subsidies.Select(s => new SubsidyRuleResponse(s.RegionGroup, s.RateBasisPoints / 100m, Fen.ToAmount(s.CapFen))).ToList(),
        p.FundingReference, p.FundingReference is null ? null : p.BudgetLine ?? Domain.Funding.BudgetLines.Subsidy);
}

public sealed record MemberResponse(string Code, string Name, int Fte, string RegionGroup, MemberRole Role, DateOnly JoinedOn, DateOnly? LeftOn);

public sealed record AllianceResponse(
    string Code, string Name, AllianceKind Kind, string Region, string DepartmentCode, string Currency, string TimeZone,
    DateTimeOffset FoundedAt, IReadOnlyList<MemberResponse> Members, IReadOnlyList<FeePolicyResponse> FeePolicies, long Version)
{
    public static AllianceResponse From(Alliance a, long version) => new(a.Code, a.Name, a.Kind, a.Region, a.DepartmentCode,
        a.Currency, a.TimeZone, a.FoundedAt,
        a.Members.Values.OrderBy(m => m.Code, StringComparer.Ordinal)
            .Select(m => new MemberResponse(m.Code, m.Name, m.Fte, m.RegionGroup, m.Role, m.JoinedOn, m.LeftOn)).ToList(),
        a.Policies.OrderBy(p => p.EffectiveFrom).Select(FeePolicyResponse.From).ToList(),
        version);
}
