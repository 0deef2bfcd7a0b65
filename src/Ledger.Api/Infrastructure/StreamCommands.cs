using Ledger.Api.Security;
using Ledger.Domain.Alliances;
using Ledger.Projections;

namespace Ledger.Api.Infrastructure;

/// <summary>
/// A command on one stream of an alliance, as an endpoint runs it: the caller records it, If-Match guards it, the
/// decider (given the alliance, which must exist) chooses the events, and the answer is the stream's state with its
/// version (201 with Location when the command created it).
/// </summary>
public static class StreamCommands
{
    public static async Task<IResult> Run<TView, TState>(
        HttpContext http, CommandRunner runner, string alliance, string streamKey,
        Func<TState?, Alliance, IReadOnlyList<object>> decide, Func<TState, long, object> respond, string? createdLocation = null)
        where TView : StateView<TState>
        where TState : class
    {
        var result = await runner.Run<TView, TState>(http.Caller().Recorder(), alliance, streamKey, Http.ExpectedVersion(http.Request),
            (state, a) => decide(state, CommandRunner.AllianceOrNotFound(a, alliance)), http.RequestAborted);
        return http.Answer(respond(result.State, result.Version), result.Version, createdLocation);
    }
}
