using Ledger.Api.Infrastructure;
using Ledger.Domain;
using Ledger.Domain.Deliveries;
using Ledger.Projections.Deliveries;

namespace Ledger.Api.Deliveries;

public static class DeliveryCommands
{
    public static async Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string deliveryId,
        IDeliveryCommand command, int successStatus = StatusCodes.Status200OK)
    {
        var result = await runner.Run<DeliveryView, Delivery>(alliance, StreamKeys.Delivery(deliveryId), Http.ExpectedVersion(http.Request),
            (state, a) => DeliveryDecider.Decide(deliveryId, command, state, CommandRunner.AllianceOrNotFound(a, alliance)),
            http.RequestAborted);
        var body = DeliveryResponse.From(result.State, result.Version);
        return http.WithVersion(successStatus == StatusCodes.Status201Created
            ? Results.Created($"/api/alliances/{alliance}/deliveries/{deliveryId}", body)
            : Results.Ok(body), result.Version);
    }
}
