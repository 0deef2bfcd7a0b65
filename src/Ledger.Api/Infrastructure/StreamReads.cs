using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Projections;
using Ledger.Projections.Alliances;
using Marten;

namespace Ledger.Api.Infrastructure;

public static class StreamReads
{
    /// <summary>
    /// GET of one loan's or delivery's state: 404 for an unknown alliance or stream, or for one a member takes no part in;
    /// ETag = stream version.
    /// </summary>
    public static Task<IResult> Get<TView, TState>(HttpContext http, IDocumentStore store, string alliance, string streamKey,
        string notFoundCode, string what, Func<TState, (string Requester, string Supplier)> parties, Func<TState, long, object> respond)
        where TView : StateView<TState>
        where TState : class =>
        GetView<TView, TState>(http, store, alliance, streamKey, notFoundCode, what, respond, state =>
        {
            var (requester, supplier) = parties(state);
            Parties.MaySee(http.Caller(), requester, supplier, notFoundCode, what);
        });

    /// <summary>GET of a stream's state, with an optional check of the caller against it; ETag = stream version.</summary>
    public static async Task<IResult> GetView<TView, TState>(HttpContext http, IDocumentStore store, string alliance, string streamKey,
        string notFoundCode, string what, Func<TState, long, object> respond, Action<TState>? maySee = null)
        where TView : StateView<TState>
        where TState : class
    {
        await using var session = store.QuerySession(alliance);
        await AllianceMustExist(session, alliance, http.RequestAborted);
        var view = await session.LoadAsync<TView>(streamKey, http.RequestAborted);
        if (view?.State is null) throw new NotFound(notFoundCode, $"{what} does not exist");
        maySee?.Invoke(view.State);
        return http.WithVersion(Results.Ok(respond(view.State, view.Version)), view.Version);
    }

    /// <summary>
    /// Every stream of one kind in the alliance (joint purchases, cost shares: tens a year), those the caller may see,
    /// in id order.
    /// </summary>
    public static async Task<IResult> ListViews<TView, TState>(HttpContext http, IDocumentStore store, string alliance,
        Func<TState, bool> maySee, Func<TState, long, object> respond)
        where TView : StateView<TState>
        where TState : class
    {
        await using var session = store.QuerySession(alliance);
        await AllianceMustExist(session, alliance, http.RequestAborted);
        var views = await session.Query<TView>().OrderBy(v => v.Id).ToListAsync(http.RequestAborted);
        return Results.Ok(views.Where(v => v.State is not null && maySee(v.State)).Select(v => respond(v.State!, v.Version)).ToList());
    }

    /// <summary>Every alliance of the ledger, in every database, in code order (a few hundred at most: one query per database).</summary>
    public static async Task<List<Alliance>> AllAlliances(IDocumentStore store, CancellationToken ct)
    {
        var all = new List<Alliance>();
        foreach (var database in await store.Storage.AllDatabases())
        {
            await using var session = store.QuerySession(Marten.Services.SessionOptions.ForDatabase(database));
            all.AddRange((await session.Query<AllianceView>().Where(x => x.AnyTenant() && x.Id == StreamKeys.Alliance).ToListAsync(ct)).Select(v => v.State!));
        }
        return all.OrderBy(a => a.Code, StringComparer.Ordinal).ToList();
    }

    public static async Task<Alliance> AllianceMustExist(IQuerySession session, string alliance, CancellationToken ct) =>
        CommandRunner.AllianceOrNotFound((await session.LoadAsync<AllianceView>(StreamKeys.Alliance, ct))?.State, alliance);
}
