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
        return http.Answer(DeliveryResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/deliveries/{deliveryId}" : null);
    }
}
