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
        var result = await Execute(http, runner, alliance, deliveryId, command, Http.ExpectedVersion(http.Request));
        return http.Answer(DeliveryResponse.From(result.State, result.Version), result.Version,
            successStatus == StatusCodes.Status201Created ? $"/api/alliances/{alliance}/deliveries/{deliveryId}" : null);
    }

    /// <summary>A delivery command as the caller: its party checks, the grant's funds, the one command path.</summary>
    public static Task<CommandResult<Delivery>> Execute(HttpContext http, CommandRunner runner, string alliance, string deliveryId,
        IDeliveryCommand command, long? expectedVersion = null) =>
        Execute(http.Caller(), runner, alliance, deliveryId, command, expectedVersion, http.RequestAborted);

    public static Task<CommandResult<Delivery>> Execute(Caller caller, CommandRunner runner, string alliance, string deliveryId,
        IDeliveryCommand command, long? expectedVersion, CancellationToken ct) =>
        runner.Run<DeliveryView, Delivery>(caller.Recorder(), alliance, StreamKeys.Delivery(deliveryId), expectedVersion,
            SettlementLock.Shared, async (session, state, a) =>
            {
                Parties.MayRecord(caller, SideOf(command), (command as RequestDelivery)?.Requester,
                    state is null ? null : (state.Requester, state.Supplier), DeliveryCodes.DeliveryMustExist, $"delivery {deliveryId}");
                var known = CommandRunner.AllianceOrNotFound(a, alliance);
                return DeliveryDecider.Decide(deliveryId, await Grants.Funded(session, known, command, state, ct), state, known);
            },
            ct);

    /// <summary>The requester requests and cancels; the supplier fulfils or says it cannot.</summary>
    public static Side SideOf(IDeliveryCommand command) => command switch
    {
        RequestDelivery or CancelDelivery => Side.Requester,
        ResolveDeliveryChargeDispute => Side.NotAMemberStep,
        FulfilDelivery or MarkDeliveryUnfilled => Side.Supplier,
        _ => Side.NotAMemberStep,
    };
}
