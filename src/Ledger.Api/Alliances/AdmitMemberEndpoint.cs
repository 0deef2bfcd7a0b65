using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Alliances;

namespace Ledger.Api.Alliances;

public sealed record AdmitMemberRequest(string? Code, string? Name, int? Fte, string? RegionGroup, MemberRole? Role, DateOnly? JoinedOn);

public sealed class AdmitMemberValidator : AbstractValidator<AdmitMemberRequest>
{
    public AdmitMemberValidator()
    {
        RuleFor(x => x.Code).IsCode();
        RuleFor(x => x.Name).IsText(200);
        RuleFor(x => x.Fte).NotNull().InclusiveBetween(0, 10_000_000);
        RuleFor(x => x.RegionGroup).IsCode();
        RuleFor(x => x.Role).NotNull();
        RuleFor(x => x.JoinedOn).NotNull();
    }
}

public static class AdmitMemberEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/members",
            (string alliance, AdmitMemberRequest body, HttpContext http, CommandRunner runner) =>
                AllianceCommands.Run(http, runner, alliance,
                    new AdmitMember(body.Code!, body.Name!, body.Fte!.Value, body.RegionGroup!, body.Role!.Value, body.JoinedOn!.Value)))
        .Validate<AdmitMemberRequest>()
        .RequireAuthorization(Policies.Administer).WithName("AdmitMember").WithTags("Alliances");
}

public sealed record MemberLeftRequest(DateOnly? LeftOn);

public sealed class MemberLeftValidator : AbstractValidator<MemberLeftRequest>
{
    public MemberLeftValidator() => RuleFor(x => x.LeftOn).NotNull();
}

public static class RecordMemberLeftEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/members/{member}/leave",
            (string alliance, string member, MemberLeftRequest body, HttpContext http, CommandRunner runner) =>
                AllianceCommands.Run(http, runner, alliance, new RecordMemberLeft(member, body.LeftOn!.Value)))
        .Validate<MemberLeftRequest>()
        .RequireAuthorization(Policies.Administer).WithName("RecordMemberLeft").WithTags("Alliances");
}

public sealed record MemberFteRequest(int? Fte, DateOnly? EffectiveFrom);

public sealed class MemberFteValidator : AbstractValidator<MemberFteRequest>
{
    public MemberFteValidator()
    {
        RuleFor(x => x.Fte).NotNull().InclusiveBetween(0, 10_000_000);
        RuleFor(x => x.EffectiveFrom).NotNull();
    }
}

/// <summary>A member's FTE from a date on: FTE-weighted splits use the FTE in effect on their allocation date.</summary>
public static class RecordMemberFteEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/members/{member}/fte",
            (string alliance, string member, MemberFteRequest body, HttpContext http, CommandRunner runner) =>
                AllianceCommands.Run(http, runner, alliance, new RecordMemberFte(member, body.Fte!.Value, body.EffectiveFrom!.Value)))
        .Validate<MemberFteRequest>()
        .RequireAuthorization(Policies.Administer).WithName("RecordMemberFte").WithTags("Alliances");
}

public sealed record AgencyIdRequest(string? Type, string? Value);

public sealed class AgencyIdValidator : AbstractValidator<AgencyIdRequest>
{
    public AgencyIdValidator()
    {
        RuleFor(x => x.Type).IsCode();
        RuleFor(x => x.Value).IsText(100);
    }
}

/// <summary>An id other systems know the member by (ISO 18626 agencyIdType/agencyIdValue, e.g. ISIL CN-NJU).</summary>
public static class RegisterAgencyIdEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/members/{member}/agency-ids",
            (string alliance, string member, AgencyIdRequest body, HttpContext http, CommandRunner runner) =>
                AllianceCommands.Run(http, runner, alliance, new RegisterAgencyId(member, body.Type!, body.Value!)))
        .Validate<AgencyIdRequest>()
        .RequireAuthorization(Policies.Administer).WithName("RegisterAgencyId").WithTags("Alliances");
}
