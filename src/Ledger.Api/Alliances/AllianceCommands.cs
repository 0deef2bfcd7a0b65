using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Projections.Alliances;

namespace Ledger.Api.Alliances;

/// <summary>Runs an alliance command through the one command path and answers with the alliance.</summary>
public static class AllianceCommands
{
    public static async Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, IAllianceCommand command,
        int successStatus = StatusCodes.Status200OK)
    {
        var result = await runner.Run<AllianceView, Alliance>(http.Caller().Recorder(), alliance, StreamKeys.Alliance, Http.ExpectedVersion(http.Request),
            (state, _) => AllianceDecider.Decide(command, state), http.RequestAborted);
        return http.Answer(AllianceResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{result.State.Code}" : null);
    }
}
