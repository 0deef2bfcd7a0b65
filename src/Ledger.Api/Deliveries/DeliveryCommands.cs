using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Deliveries;
using Ledger.Projections.Deliveries;

namespace Ledger.Api.Deliveries;

public static class DeliveryCommands
{
    public static async Task<IResult> Run(HttpContext http, CommandRunner runner, string alliance, string deliveryId,
        IDeliveryCommand command, int successStatus = StatusCodes.Status200OK)
    {
        var caller = http.Caller();
        var result = await runner.Run<DeliveryView, Delivery>(caller.Recorder(), alliance, StreamKeys.Delivery(deliveryId),
            Http.ExpectedVersion(http.Request),
            SettlementLock.Shared, async (session, state, a) =>
            {
                Parties.MayRecord(caller, SideOf(command), (command as RequestDelivery)?.Requester,
                    state is null ? null : (state.Requester, state.Supplier), DeliveryCodes.DeliveryMustExist, $"delivery {deliveryId}");
                var known = CommandRunner.AllianceOrNotFound(a, alliance);
                return DeliveryDecider.Decide(deliveryId, await Grants.Funded(session, known, command, state, http.RequestAborted), state, known);
            },
            http.RequestAborted);
        return http.Answer(DeliveryResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/deliveries/{deliveryId}" : null);
    }

    /// <summary>The requester requests and cancels; the supplier fulfils or says it cannot.</summary>
    public static Side SideOf(IDeliveryCommand command) => command switch
    {
        RequestDelivery or CancelDelivery => Side.Requester,
        FulfilDelivery or MarkDeliveryUnfilled => Side.Supplier,
        _ => Side.NotAMemberStep,
    };
}
