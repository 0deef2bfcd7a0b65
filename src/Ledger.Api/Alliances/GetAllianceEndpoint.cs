using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Projections.Alliances;
using Marten;

namespace Ledger.Api.Alliances;

public static class GetAllianceEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapGet("", async (string alliance, HttpContext http, IDocumentStore store) =>
        {
            await using var session = store.QuerySession(alliance);
            var view = await session.LoadAsync<AllianceView>(StreamKeys.Alliance, http.RequestAborted);
            var state = CommandRunner.AllianceOrNotFound(view?.State, alliance);
            return http.WithVersion(Results.Ok(AllianceResponse.From(state, view!.Version)), view.Version);
        })
        .RequireAuthorization(Policies.ReadAlliance).WithName("GetAlliance").WithTags("Alliances");
}
