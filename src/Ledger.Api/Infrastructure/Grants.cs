using Ledger.Domain.Alliances;
using Marten;

namespace Ledger.Api.Infrastructure;

/// <summary>What a command that may spend a grant needs to know first: how much its sub-project can still spend.</summary>
public static class Grants
{
    /// <summary>
    /// The funds left to the grant of the fee policy in force at <paramref name="at"/>, under that grant's lock (held to
    /// the end of the command's transaction). A policy without a grant spends nothing from one.
    /// </summary>
    public static async Task<long> AvailableForPolicy(IDocumentSession session, Alliance alliance, DateTimeOffset at, CancellationToken ct) =>
        alliance.PolicyOn(alliance.BusinessDate(at))?.FundingReference is { } reference
            ? await SettlementLocks.TakeGrant(session, alliance.Code, reference, ct)
            : long.MaxValue;
}
