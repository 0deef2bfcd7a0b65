using FluentValidation;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Alliances;

namespace Ledger.Api.Alliances;

public sealed record FoundAllianceRequest(
    string? Code, string? Name, AllianceKind? Kind, string? Region, string? DepartmentCode, string? Currency,
    string? TimeZone, DateTimeOffset? FoundedAt);

public sealed class FoundAllianceValidator : AbstractValidator<FoundAllianceRequest>
{
    public FoundAllianceValidator()
    {
        RuleFor(x => x.Code).IsCode();
        RuleFor(x => x.Name).IsText(200);
        RuleFor(x => x.Kind).NotNull();
        RuleFor(x => x.Region).IsText(100);
        RuleFor(x => x.DepartmentCode).IsCode();
        RuleFor(x => x.Currency).Matches(@"^[A-Z]{3}\z").WithMessage("must be an ISO 4217 code such as CNY");
        RuleFor(x => x.TimeZone).Must(tz => tz is null || TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
            .WithMessage("must be an IANA time zone such as Asia/Shanghai");
    }
}

public static class FoundAllianceEndpoint
{
    public static void Map(RouteGroupBuilder api) => api.MapPost("/alliances", async (FoundAllianceRequest body, HttpContext http, CommandRunner runner) =>
        {
            if (!http.Caller().InAlliance(body.Code!))
                throw new Forbidden(AccessCodes.AllianceOutOfScope, $"alliance {body.Code} is outside this token's scope");
            var command = new FoundAlliance(body.Code!, body.Name!, body.Kind!.Value, body.Region!, body.DepartmentCode!,
                body.Currency ?? "CNY", body.TimeZone ?? "Asia/Shanghai", body.FoundedAt ?? http.Now());
            return await AllianceCommands.Run(http, runner, body.Code!, command, StatusCodes.Status201Created);
        })
        .Validate<FoundAllianceRequest>()
        .RequireAuthorization(Policies.Administer)
        .WithName("FoundAlliance").WithTags("Alliances");
}
