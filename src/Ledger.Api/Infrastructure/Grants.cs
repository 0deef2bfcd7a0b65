using Ledger.Domain.Alliances;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>What a command that may spend a grant needs to know first: how much its sub-project can still spend.</summary>
public static class Grants
{
    /// <summary>A shipment states what the grant can pay; every other loan command is as it is.</summary>
    public static async Task<ILoanCommand> Funded(IDocumentSession session, Alliance alliance, ILoanCommand command, Loan? state, CancellationToken ct) =>
        command switch
        {
            ShipLoan ship when state?.Status == LoanStatus.Requested => ship with { GrantAvailableFen = await AvailableForPolicy(session, alliance, ship.At, ct) },
            ResolveLoanChargeDispute { Accept: true } r when state?.Dispute is not null =>
                r with { GrantAvailableFen = await AvailableForPolicy(session, alliance, r.At, ct) },
            _ => command,
        };

    /// <summary>A fulfilment states what the grant can pay; every other delivery command is as it is.</summary>
    public static async Task<IDeliveryCommand> Funded(IDocumentSession session, Alliance alliance, IDeliveryCommand command, Delivery? state, CancellationToken ct) =>
        command switch
        {
            FulfilDelivery fulfil when state?.Status == DeliveryStatus.Requested =>
                fulfil with { GrantAvailableFen = await AvailableForPolicy(session, alliance, fulfil.At, ct) },
            ResolveDeliveryChargeDispute { Accept: true } r when state?.Dispute is not null =>
                r with { GrantAvailableFen = await AvailableForPolicy(session, alliance, r.At, ct) },
            _ => command,
        };

    /// <summary>
    /// The funds left to the grant of the fee policy in force at <paramref name="at"/> (a policy without a grant spends
    /// nothing from one). Read without a lock; the running total's constraint checks the spend again at commit.
    /// </summary>
    public static async Task<long> AvailableForPolicy(IDocumentSession session, Alliance alliance, DateTimeOffset at, CancellationToken ct) =>
        alliance.PolicyOn(alliance.BusinessDate(at))?.FundingReference is { } reference
            ? await Projections.Funding.FundingQueries.AvailableFen(session, reference, ct)
            : long.MaxValue;
}
