using System.Collections.Concurrent;
using JasperFx.Events;

namespace Ledger.Projections;

/// <summary>
/// The stream-state projections and events wrapped as Marten wraps them, for code that folds outside a session: the
/// command path (the state after its own events, without reading back what the inline projection stored) and the
/// bulk writer.
/// </summary>
public static class StreamViews
{
    public static readonly IReadOnlyList<IStreamViewProjection> All = LedgerStore.Projections
        .Where(t => typeof(IStreamViewProjection).IsAssignableFrom(t))
        .Select(t => (IStreamViewProjection)Activator.CreateInstance(t)!).ToList();

    private static readonly IReadOnlyDictionary<Type, IStreamViewProjection> ByView = All.ToDictionary(p => p.ViewType);
    private static readonly ConcurrentDictionary<Type, Func<object, IEvent>> Wrappers = new();

    /// <summary>
    /// The view the inline projection stores for a stream at <paramref name="version"/> once <paramref name="events"/>
    /// are appended after it (the same fold, so the answer equals a read-back).
    /// </summary>
    public static TView After<TView>(TView? current, string key, long version, IReadOnlyList<object> events) where TView : class
    {
        var projection = ByView[typeof(TView)];
        object? view = current;
        for (var i = 0; i < events.Count; i++)
        {
            var e = Wrap(events[i]);
            e.Version = version + i + 1;
            e.StreamKey = key;
            view = projection.Fold(view, key, e);
        }
        return (TView)(view ?? throw new InvalidOperationException($"no events of {key} fold into a {typeof(TView).Name}"));
    }

    /// <summary>An event as Marten wraps it: its stored name and .NET type name set, the rest for the caller to fill.</summary>
    public static IEvent Wrap(object data)
    {
        var wrap = Wrappers.GetOrAdd(data.GetType(), type =>
        {
            var ctor = typeof(Event<>).MakeGenericType(type).GetConstructor([type])
                       ?? throw new InvalidOperationException($"no event wrapper for {type}");
            var name = LedgerEvents.StoredNames.TryGetValue(type, out var n) ? n : throw new InvalidOperationException($"{type} has no stored name");
            var dotnet = $"{type.FullName}, {type.Assembly.GetName().Name}";
            return d =>
            {
                var e = (IEvent)ctor.Invoke([d]);
                e.EventTypeName = name;
                e.DotNetTypeName = dotnet;
                return e;
            };
        });
        return wrap(data);
    }
}
