using Ledger.Api.Infrastructure;
using Ledger.Api.Security;
using Ledger.Domain.Money;
using Ledger.Projections.Deliveries;
using Ledger.Projections.Loans;
using Marten;

namespace Ledger.Api.Charges;

/// <summary>A charge the supplier stated above the borrower's maximum cost, waiting for the finance officer's decision.</summary>
public sealed record OpenDisputeResponse(string Kind, string Id, string Borrower, string Lender, string Title, decimal StatedCharge,
    decimal MaximumCost, DateTimeOffset RaisedAt, string ResolveAt);

/// <summary>GET …/disputes: every open charge dispute of the alliance's loans and deliveries, oldest first.</summary>
public static class DisputesEndpoint
{
    public static void Map(RouteGroupBuilder alliance) => alliance.MapGet("/disputes", async (string alliance, HttpContext http, ReadStore store) =>
        {
            await using var session = store.QuerySession(alliance);
            await StreamReads.AllianceMustExist(session, alliance, http.RequestAborted);
            var loans = await session.Query<LoanView>().Where(v => v.State!.Dispute != null).ToListAsync(http.RequestAborted);
            var deliveries = await session.Query<DeliveryView>().Where(v => v.State!.Dispute != null).ToListAsync(http.RequestAborted);
            var open = loans.Select(v => v.State!).Where(l => l.Dispute is not null).Select(l => new OpenDisputeResponse("loan", l.Id, l.Borrower, l.Lender, l.Title,
                    Fen.ToAmount(l.Dispute!.StatedChargeFen), Fen.ToAmount(l.Dispute.MaximumCostFen), l.Dispute.RaisedAt,
                    $"/api/alliances/{alliance}/loans/{l.Id}/charge-dispute"))
                .Concat(deliveries.Select(v => v.State!).Where(d => d.Dispute is not null).Select(d => new OpenDisputeResponse("delivery", d.Id, d.Requester,
                    d.Supplier, d.Title, Fen.ToAmount(d.Dispute!.StatedChargeFen), Fen.ToAmount(d.Dispute.MaximumCostFen), d.Dispute.RaisedAt,
                    $"/api/alliances/{alliance}/deliveries/{d.Id}/charge-dispute")))
                .OrderBy(d => d.RaisedAt).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
            return Results.Ok(open);
        })
        .RequireAuthorization(Policies.ReadAllianceLedger).WithName("ListOpenDisputes").WithTags("Charges");
}
