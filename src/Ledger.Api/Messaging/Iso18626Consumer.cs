using System.Text;
using System.Xml.Linq;
using Ledger.Api.Infrastructure;
using Ledger.Api.Iso18626;
using Ledger.Api.Security;
using Ledger.Contracts.V1;
using Marten;
using MassTransit;

namespace Ledger.Api.Messaging;

/// <summary>A queued message the ledger cannot use (retrying will not help): it goes to the error queue with this reason.</summary>
public sealed class UnusableMessage(string reason) : Exception(reason);

/// <summary>Whoever may publish to the ledger's queues is trusted as the alliance's service platform.</summary>
public static class QueueCaller
{
    public static Caller For(ConsumeContext context, string alliance) =>
        new($"queue:{context.ReceiveContext.InputAddress.AbsolutePath.Trim('/')}", Roles.Service,
            new HashSet<string>(StringComparer.Ordinal) { alliance }, null, null);
}

/// <summary>
/// ISO 18626 from a queue, for platforms that prefer one to HTTP: the same mapping as the HTTP endpoint, acting as the
/// alliance's service platform (whoever may publish to the queue is trusted as that platform). The confirmation is
/// published as <see cref="Iso18626Answered"/>; an unusable message also goes to the error queue with the reason,
/// without retries and without holding up the queue. A duplicate records nothing (the commands are idempotent).
/// </summary>
public sealed class Iso18626Consumer(CommandRunner runner, IDocumentStore store, TimeProvider clock, TimeBounds bounds) : IConsumer<SubmitIso18626>
{
    public async Task Consume(ConsumeContext<SubmitIso18626> context)
    {
        var submitted = context.Message;
        var received = clock.GetUtcNow();
        var caller = QueueCaller.For(context, submitted.Alliance);
        (XDocument Confirmation, IsoError? Error) answer;
        Iso18626Message? message = null;
        try
        {
            await using var body = new MemoryStream(Encoding.UTF8.GetBytes(submitted.Xml ?? ""));
            message = await Iso18626Message.Parse(body, context.CancellationToken);
            answer = await Iso18626Endpoint.Handle(message, submitted.Alliance, caller, runner, store, bounds, received, context.CancellationToken);
        }
        catch (IsoError e)
        {
            answer = (new XDocument(), e);
        }
        catch (Domain.NotFound e)
        {
            answer = (new XDocument(), new IsoError(IsoErrors.UnrecognisedDataValue, $"{e.Code}: {e.Message}"));
        }
        await context.Publish(new Iso18626Answered(submitted.Alliance, message?.RequestId, answer.Error is null ? "OK" : "ERROR", answer.Error?.Type,
            answer.Error?.Value, answer.Confirmation.ToString(SaveOptions.DisableFormatting)));
        if (answer.Error is { } error) throw new UnusableMessage($"{error.Type}: {error.Value}");
    }
}
