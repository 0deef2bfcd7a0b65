using FluentValidation;
using Ledger.Api.Charges;
using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Money;

namespace Ledger.Api.Deliveries;

public sealed record RequestDeliveryRequest(string? DeliveryId, string? Requester, string? Supplier, string? Title, bool? Rush,
    decimal? MaximumCost, DateTimeOffset? At);

public sealed class RequestDeliveryValidator : AbstractValidator<RequestDeliveryRequest>
{
    public RequestDeliveryValidator()
    {
        RuleFor(x => x.DeliveryId).IsCode();
        RuleFor(x => x.Requester).IsCode();
        RuleFor(x => x.Supplier).IsCode();
        RuleFor(x => x.Title).IsText();
        RuleFor(x => x.MaximumCost).IsAmount();
    }
}

public sealed record FulfilDeliveryRequest(int? Pages, decimal? Charge, DateTimeOffset? At);

public sealed class FulfilDeliveryValidator : AbstractValidator<FulfilDeliveryRequest>
{
    public FulfilDeliveryValidator()
    {
        RuleFor(x => x.Pages).NotNull().InclusiveBetween(0, 100_000);
        RuleFor(x => x.Charge).IsAmount();
    }
}

/// <summary>The delivery commands made from their request bodies: one mapping for the HTTP endpoints and the queue.</summary>
public static class DeliverySteps
{
    public static RequestDelivery Request(RequestDeliveryRequest b, DateTimeOffset now) =>
        new(b.DeliveryId!, b.Requester!, b.Supplier!, b.Title!, b.Rush ?? false, b.MaximumCost is { } m ? Fen.FromAmount(m) : null, b.At ?? now);

    public static FulfilDelivery Fulfil(FulfilDeliveryRequest b, DateTimeOffset now) =>
        new(b.Pages!.Value, b.Charge is { } c ? Fen.FromAmount(c) : null, b.At ?? now);

    public static MarkDeliveryUnfilled Unfilled(UnfilledRequest b, DateTimeOffset now) => new(b.Reason!, b.At ?? now);

    public static CancelDelivery Cancel(ReasonRequest? b, DateTimeOffset now) => new(b?.Reason, b?.At ?? now);
}

/// <summary>POST …/deliveries and every step after: fulfilled, unfilled, cancelled, refunds.</summary>
public static class DeliveryEndpoints
{
    public static void Map(RouteGroupBuilder alliance)
    {
        alliance.MapPost("/deliveries", (string alliance, RequestDeliveryRequest body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, body.DeliveryId!, DeliverySteps.Request(body, http.Now()), StatusCodes.Status201Created))
            .Validate<RequestDeliveryRequest>().RequireAuthorization(Policies.RecordActivity).WithName("RequestDelivery").WithTags("Deliveries");

        var delivery = alliance.MapGroup("/deliveries/{deliveryId}").WithTags("Deliveries");

        delivery.MapPost("/fulfilled", (string alliance, string deliveryId, FulfilDeliveryRequest body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, deliveryId, DeliverySteps.Fulfil(body, http.Now())))
            .Validate<FulfilDeliveryRequest>().RequireAuthorization(Policies.RecordActivity).WithName("FulfilDelivery");

        delivery.MapPost("/unfilled", (string alliance, string deliveryId, UnfilledRequest body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, deliveryId, DeliverySteps.Unfilled(body, http.Now())))
            .Validate<UnfilledRequest>().RequireAuthorization(Policies.RecordActivity).WithName("MarkDeliveryUnfilled");

        delivery.MapPost("/cancelled", (string alliance, string deliveryId, ReasonRequest? body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, deliveryId, DeliverySteps.Cancel(body, http.Now())))
            .Validate<ReasonRequest>().RequireAuthorization(Policies.RecordActivity).WithName("CancelDelivery");

        delivery.MapPost("/charge-dispute", (string alliance, string deliveryId, DisputeResolutionRequest body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, deliveryId, new ResolveDeliveryChargeDispute(body.Accept!.Value, body.Reason!, body.At ?? http.Now())))
            .Validate<DisputeResolutionRequest>().RequireAuthorization(Policies.Correct).WithName("ResolveDeliveryChargeDispute");

        delivery.MapPost("/refunds", (string alliance, string deliveryId, DeliveryRefundRequest body, HttpContext http, CommandRunner runner) =>
                DeliveryCommands.Run(http, runner, alliance, deliveryId,
                    new RefundDeliveryCharge(body.RefundId!, Fen.FromAmount(body.Amount!.Value), body.Reason!, body.At ?? http.Now())))
            .Validate<DeliveryRefundRequest>().RequireAuthorization(Policies.Correct).WithName("RefundDeliveryCharge");

        delivery.MapGet("", (string alliance, string deliveryId, HttpContext http, Marten.IDocumentStore store) =>
                StreamReads.Get<Projections.Deliveries.DeliveryView, Delivery>(http, store, alliance,
                    Domain.StreamKeys.Delivery(deliveryId), DeliveryCodes.DeliveryMustExist, $"delivery {deliveryId}", d => (d.Requester, d.Supplier),
                    (d, v) => DeliveryResponse.From(d, v)))
            .RequireAuthorization(Policies.ReadActivity).WithName("GetDelivery");
    }
}
