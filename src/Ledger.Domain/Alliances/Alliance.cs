namespace Ledger.Domain.Alliances;

// An alliance is founded once, then admits members, lets them leave and sets fee policies with effective dates.
// It is the tenant: every other stream (loan, delivery, …) lives inside one alliance. The alliance's state is what
// the other deciders consult for membership on a business date, the policy in force and the time zone.

public enum AllianceKind { Provincial, Municipal, InterProvincial, National }

public enum MemberRole { ManagementCentre, ServiceCentre, Member }

public interface IAllianceCommand;
public interface IAllianceEvent;

public sealed record FoundAlliance(
    string Code, string Name, AllianceKind Kind, string Region, string DepartmentCode, string Currency,
    string TimeZone, DateTimeOffset At) : IAllianceCommand;

public sealed record AdmitMember(
    string Code, string Name, int Fte, string RegionGroup, MemberRole Role, DateOnly JoinedOn) : IAllianceCommand;

/// <summary>The member stops being a member on <see cref="LeftOn"/>: its last day is the day before.</summary>
public sealed record RecordMemberLeft(string Code, DateOnly LeftOn) : IAllianceCommand;

public sealed record SetFeePolicy(FeePolicy Policy) : IAllianceCommand;

/// <summary>The member's FTE from <see cref="EffectiveFrom"/> on (allocations by FTE use the FTE on their date).</summary>
public sealed record RecordMemberFte(string Code, int Fte, DateOnly EffectiveFrom) : IAllianceCommand;

public sealed record AllianceFounded(
    string Code, string Name, AllianceKind Kind, string Region, string DepartmentCode, string Currency,
    string TimeZone, DateTimeOffset FoundedAt) : IAllianceEvent;

public sealed record MemberAdmitted(
    string Code, string Name, int Fte, string RegionGroup, MemberRole Role, DateOnly JoinedOn) : IAllianceEvent;

public sealed record MemberLeft(string Code, DateOnly LeftOn) : IAllianceEvent;

public sealed record FeePolicySet(FeePolicy Policy) : IAllianceEvent;

public sealed record MemberFteChanged(string Code, int Fte, DateOnly EffectiveFrom) : IAllianceEvent;

/// <summary>An id by which other systems know the member (ISO 18626 agencyIdType/agencyIdValue, e.g. ISIL CN-NJU).</summary>
public sealed record RegisterAgencyId(string Code, string Type, string Value) : IAllianceCommand;

public sealed record AgencyIdRegistered(string Code, string Type, string Value) : IAllianceEvent;

public sealed record AgencyId(string Type, string Value)
{
    /// <summary>Types compare without regard to case (ISIL, isil); values exactly.</summary>
    public bool Matches(string type, string value) => string.Equals(Type, type, StringComparison.OrdinalIgnoreCase) && Value == value;
}

public sealed record FteChange(int Fte, DateOnly EffectiveFrom);

/// <summary>
/// Subsidy for the reader's library by its region group: <see cref="RateBasisPoints"/> of the fee (10,000 = 100 %),
/// rounded down to the fen, never above <see cref="CapFen"/> per request.
/// </summary>
public sealed record SubsidyRule(string RegionGroup, int RateBasisPoints, long CapFen);

/// <summary>
/// The fees in force from <see cref="EffectiveFrom"/> (a business date) until the next policy's date. Subsidies and
/// supplier rewards are paid from <c>grant:{FundingReference}</c> (the sub-project of that code), on its budget line
/// <see cref="BudgetLine"/> (default "subsidy").
/// </summary>
public sealed record FeePolicy(
    DateOnly EffectiveFrom,
    long LoanFeeFen,
    long DeliveryBaseFeeFen,
    long PerPageFen,
    long RushSurchargeFen,
    long SupplierRewardFen,
    IReadOnlyList<SubsidyRule> Subsidies,
    string? FundingReference,
    string? BudgetLine = null)
{
    public SubsidyRule? SubsidyFor(string regionGroup) =>
        Subsidies.FirstOrDefault(s => string.Equals(s.RegionGroup, regionGroup, StringComparison.Ordinal));

    /// <summary>Value equality including the subsidy list (records compare lists by reference).</summary>
    public bool SameAs(FeePolicy other) =>
        this with { Subsidies = [] } == other with { Subsidies = [] } && Subsidies.SequenceEqual(other.Subsidies);
}

public sealed record Member(
    string Code, string Name, int Fte, string RegionGroup, MemberRole Role, DateOnly JoinedOn, DateOnly? LeftOn,
    IReadOnlyList<FteChange>? FteChanges = null,
    IReadOnlyList<AgencyId>? AgencyIds = null)
{
    public bool IsMemberOn(DateOnly date) => JoinedOn <= date && (LeftOn is null || date < LeftOn);

    /// <summary>The FTE on a date: the latest change in effect, else the FTE given at admission.</summary>
    public int FteOn(DateOnly date) =>
        (FteChanges ?? []).Where(c => c.EffectiveFrom <= date).MaxBy(c => c.EffectiveFrom)?.Fte ?? Fte;
}

/// <summary>The alliance as its deciders and other deciders see it. Immutable; built by <see cref="AllianceDecider.Evolve"/>.</summary>
public sealed record Alliance(
    string Code, string Name, AllianceKind Kind, string Region, string DepartmentCode, string Currency,
    string TimeZone, DateTimeOffset FoundedAt,
    IReadOnlyDictionary<string, Member> Members,
    IReadOnlyList<FeePolicy> Policies)
{
    public Member? MemberOrNull(string code) => Members.GetValueOrDefault(code);

    /// <summary>The member another system names by an agency id, or null.</summary>
    public Member? MemberByAgency(string type, string value) =>
        Members.Values.FirstOrDefault(m => (m.AgencyIds ?? []).Any(a => a.Matches(type, value)));

    /// <summary>The policy in force on a business date: the latest whose effective date is not after it.</summary>
    public FeePolicy? PolicyOn(DateOnly date) =>
        Policies.Where(p => p.EffectiveFrom <= date).MaxBy(p => p.EffectiveFrom);

    /// <summary>The business date of an instant: its calendar date in the alliance's time zone.</summary>
    public DateOnly BusinessDate(DateTimeOffset at) => BusinessDates.Of(at, TimeZone);

    /// <summary>The last instant of a business date in the alliance's time zone: what was known "on" that date.</summary>
    public DateTimeOffset EndOf(DateOnly date)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var local = date.AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).AddTicks(-1);
    }
}

public static class BusinessDates
{
    public static DateOnly Of(DateTimeOffset at, string timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime);
}

public static class AllianceCodes
{
    public const string AllianceMustExist = "alliance_must_exist";
    public const string AllianceCodeReused = "alliance_code_must_not_be_reused";
    public const string MemberCodeReused = "member_code_must_not_be_reused";
    public const string MemberMustExist = "member_must_exist";
    public const string MemberMustNotLeaveBeforeJoining = "member_must_not_leave_before_joining";
    public const string MemberAlreadyLeft = "member_must_not_have_left";
    public const string FeePolicyDateReused = "fee_policy_date_must_not_be_reused";
    public const string FeePolicyNeedsFundingReference = "fee_policy_must_name_funding_reference";
    public const string FteDateReused = "fte_date_must_not_be_reused";
    public const string AgencyIdTaken = "agency_id_must_name_one_member";
}
