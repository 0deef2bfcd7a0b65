using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Ledger.Projections;

/// <summary>
/// A stream's current state as its decider folds it, stored inline as a document so that a command reads it with one
/// lookup and a GET answers without replaying events. <see cref="Version"/> is the stream version (the ETag).
/// </summary>
public abstract class StateView<TState> where TState : class
{
    public string Id { get; set; } = "";
    public long Version { get; set; }
    public TState? State { get; set; }
}

/// <summary>A stream-state projection seen without Marten's session: which events it folds and how (used by the bulk writer).</summary>
public interface IStreamViewProjection
{
    Type ViewType { get; }
    bool Folds(object data);
    object? Fold(object? view, string id, IEvent e);
}

/// <summary>Folds a stream with the domain's own pure Evolve, so the read side can never disagree with the deciders.</summary>
public abstract class DeciderProjection<TView, TState, TEvent> : SingleStreamProjection<TView, string>, IStreamViewProjection
    where TView : StateView<TState>, new()
    where TState : class
{
    /// <summary>
    /// Only its own stream's events: without the filter (Evolve takes any IEvent) Marten would look up a document of
    /// every view for every appended event, one round trip each.
    /// </summary>
    protected DeciderProjection()
    {
        IncludeType<TEvent>();
        // When Marten's daemon rebuilds one of these (LedgerStore.RebuildAll uses the bulk writer instead), it keeps
        // the latest view of each stream in memory and writes each once instead of once per event.
        Options.RebuildFlushThreshold = Rebuilds.FlushThreshold;
        Options.BatchSize = Rebuilds.BatchSize;
    }

    protected abstract TState Fold(TState? state, TEvent e);

    public override TView? Evolve(TView? snapshot, string id, IEvent e) => e.Data is TEvent de
        ? new TView { Id = id, Version = e.Version, State = Fold(snapshot?.State, de) }
        : snapshot;

    Type IStreamViewProjection.ViewType => typeof(TView);
    bool IStreamViewProjection.Folds(object data) => data is TEvent;
    object? IStreamViewProjection.Fold(object? view, string id, IEvent e) => Evolve((TView?)view, id, e);
}
