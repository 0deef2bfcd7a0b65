using System.Text.Json;
using FluentValidation;
using Ledger.Api.Charges;
using Ledger.Api.Deliveries;
using Ledger.Api.Infrastructure;
using Ledger.Api.Loans;
using Ledger.Api.Security;
using Ledger.Contracts.V1;
using Ledger.Domain;
using MassTransit;

namespace Ledger.Api.Messaging;

/// <summary>
/// The ledger's own loan and delivery commands from a queue: the same bodies, validators, command mapping and
/// deciders as the HTTP endpoints, acting as the alliance's service platform. The answer is published as
/// <see cref="LedgerCommandAnswered"/>; a command the ledger refuses also goes to the error queue with its code, without
/// retries. A duplicate records nothing (the commands are idempotent).
/// </summary>
public sealed class LedgerCommandConsumer(CommandRunner runner, IServiceProvider services, TimeProvider clock) : IConsumer<SubmitLedgerCommand>
{
    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    private delegate Task<long> Handler(LedgerCommandConsumer self, SubmitLedgerCommand m, Caller caller, DateTimeOffset now, CancellationToken ct);

    /// <summary>Every command the queue takes, by name.</summary>
    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.Ordinal)
    {
        ["loan.request"] = (s, m, c, now, ct) => s.Loan<RequestLoanRequest>(m, c, true, b => LoanSteps.Request(SameId(b!, b!.LoanId, m), now), ct),
        ["loan.shipped"] = (s, m, c, now, ct) => s.Loan<ShipLoanRequest>(m, c, true, b => LoanSteps.Ship(b!, now), ct),
        ["loan.received"] = (s, m, c, now, ct) => s.Loan<AtRequest>(m, c, false, b => LoanSteps.Receive(b, now), ct),
        ["loan.returned"] = (s, m, c, now, ct) => s.Loan<AtRequest>(m, c, false, b => LoanSteps.Return(b, now), ct),
        ["loan.unfilled"] = (s, m, c, now, ct) => s.Loan<UnfilledRequest>(m, c, true, b => LoanSteps.Unfilled(b!, now), ct),
        ["loan.cancelled"] = (s, m, c, now, ct) => s.Loan<ReasonRequest>(m, c, false, b => LoanSteps.Cancel(b, now), ct),
        ["loan.lost"] = (s, m, c, now, ct) => s.Loan<LoanLostRequest>(m, c, true, b => LoanSteps.Lost(b!, now), ct),
        ["delivery.request"] = (s, m, c, now, ct) => s.Delivery<RequestDeliveryRequest>(m, c, true, b => DeliverySteps.Request(SameId(b!, b!.DeliveryId, m), now), ct),
        ["delivery.fulfilled"] = (s, m, c, now, ct) => s.Delivery<FulfilDeliveryRequest>(m, c, true, b => DeliverySteps.Fulfil(b!, now), ct),
        ["delivery.unfilled"] = (s, m, c, now, ct) => s.Delivery<UnfilledRequest>(m, c, true, b => DeliverySteps.Unfilled(b!, now), ct),
        ["delivery.cancelled"] = (s, m, c, now, ct) => s.Delivery<ReasonRequest>(m, c, false, b => DeliverySteps.Cancel(b, now), ct),
    };

    public static IReadOnlyCollection<string> CommandNames => Handlers.Keys;

    public async Task Consume(ConsumeContext<SubmitLedgerCommand> context)
    {
        var m = context.Message;
        string? code = null, detail = null;
        long? version = null;
        try
        {
            Operations.LedgerTelemetry.Command = m.Command;
            if (!Handlers.TryGetValue(m.Command ?? "", out var handler))
                throw new CommandUnusable(Problems.RequestInvalid, $"command '{m.Command}' is not one of {string.Join(", ", Handlers.Keys)}");
            version = await handler(this, m, QueueCaller.For(context, m.Alliance), clock.GetUtcNow(), context.CancellationToken);
        }
        catch (CommandUnusable e) { (code, detail) = (e.Code, e.Message); }
        catch (Rejected e) { (code, detail) = (e.Code, e.Message); }
        catch (NotFound e) { (code, detail) = (e.Code, e.Message); }
        catch (Forbidden e) { (code, detail) = (e.Code, e.Message); }
        await context.Publish(new LedgerCommandAnswered(m.Alliance, m.Command ?? "", m.Id, code is null ? "OK" : "ERROR", code, detail, version));
        if (code is not null) throw new UnusableMessage($"{code}: {detail}");
    }

    private async Task<long> Loan<TBody>(SubmitLedgerCommand m, Caller caller, bool required, Func<TBody?, Domain.Loans.ILoanCommand> make, CancellationToken ct)
    {
        var body = await Body<TBody>(m.Body, required, ct);
        return (await LoanCommands.Execute(caller, runner, m.Alliance, Id(m), make(body), null, ct)).Version;
    }

    private async Task<long> Delivery<TBody>(SubmitLedgerCommand m, Caller caller, bool required, Func<TBody?, Domain.Deliveries.IDeliveryCommand> make,
        CancellationToken ct)
    {
        var body = await Body<TBody>(m.Body, required, ct);
        return (await DeliveryCommands.Execute(caller, runner, m.Alliance, Id(m), make(body), null, ct)).Version;
    }

    /// <summary>The body read as strictly as the HTTP endpoints read it, and checked by the same validator.</summary>
    private async Task<TBody?> Body<TBody>(string? json, bool required, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(json))
            return required ? throw new CommandUnusable(Problems.BodyMalformed, "this command needs a body") : default;
        TBody? body;
        try
        {
            body = JsonSerializer.Deserialize<TBody>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CommandUnusable(Problems.BodyMalformed, $"the body is not the JSON this command takes: {e.Message}");
        }
        if (body is null) return required ? throw new CommandUnusable(Problems.BodyMalformed, "this command needs a body") : default;
        if (services.GetService<IValidator<TBody>>() is { } validator)
        {
            var result = await validator.ValidateAsync(body, ct);
            if (!result.IsValid)
                throw new CommandUnusable(Problems.RequestInvalid, string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}")));
        }
        if (services.GetRequiredService<TimeBounds>().Check([("body", body)]) is { } refusal)
            throw new CommandUnusable(refusal.Code, string.Join("; ", refusal.Errors.Select(t => $"{t.Key}: {t.Value[0]}")));
        return body;
    }

    private static string Id(SubmitLedgerCommand m) =>
        ValidationExtensions.IsValidCode(m.Id) ? m.Id : throw new CommandUnusable(Problems.RequestInvalid, "id must be a loan or delivery id");

    /// <summary>A request names its id twice (message and body): they must agree.</summary>
    private static T SameId<T>(T body, string? bodyId, SubmitLedgerCommand m) => bodyId == m.Id
        ? body
        : throw new CommandUnusable(Problems.RequestInvalid, $"the message's id '{m.Id}' and the body's id '{bodyId}' differ");

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var o = new JsonSerializerOptions();
        Json.Configure(o);
        return o;
    }

    private sealed class CommandUnusable(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
