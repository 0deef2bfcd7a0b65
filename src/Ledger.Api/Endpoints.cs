using Ledger.Api.Alliances;
using Ledger.Api.Audit;
using Ledger.Api.Deliveries;
using Ledger.Api.Funding;
using Ledger.Api.Ledger;
using Ledger.Api.Loans;
using Ledger.Api.Settlement;
using Ledger.Api.Sharing;
using Ledger.Api.Usage;

namespace Ledger.Api;

/// <summary>Every route of the API, in one list.</summary>
public static class Endpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        Security.WhoAmIEndpoint.Map(api);
        FoundAllianceEndpoint.Map(api);
        AuditEndpoints.Map(api);
        FundingReportEndpoint.Map(api);
        var alliance = api.MapGroup("/alliances/{alliance}");
        GetAllianceEndpoint.Map(alliance);
        AdmitMemberEndpoint.Map(alliance);
        RecordMemberLeftEndpoint.Map(alliance);
        RecordMemberFteEndpoint.Map(alliance);
        RegisterAgencyIdEndpoint.Map(alliance);
        SetFeePolicyEndpoint.Map(alliance);
        RequestLoanEndpoint.Map(alliance);
        LoanStepEndpoints.Map(alliance);
        GetLoanEndpoint.Map(alliance);
        DeliveryEndpoints.Map(alliance);
        LedgerEndpoints.Map(alliance);
        Charges.DisputesEndpoint.Map(alliance);
        UsageEndpoint.Map(alliance);
        PurchaseEndpoints.Map(alliance);
        CostShareEndpoints.Map(alliance);
        PaymentEndpoints.Map(alliance);
        PeriodEndpoints.Map(alliance);
        Iso18626.Iso18626Endpoint.Map(alliance);
        AuditEndpoints.MapAlliance(alliance);
        FundingEndpoints.Map(alliance);
        FundingReportEndpoint.MapAlliance(alliance);
    }
}
