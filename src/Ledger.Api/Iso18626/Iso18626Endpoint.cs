using System.Xml.Linq;
using Ledger.Api.Deliveries;
using Ledger.Api.Infrastructure;
using Ledger.Api.Loans;
using Ledger.Api.Security;
using Ledger.Domain;
using Ledger.Domain.Alliances;
using Ledger.Domain.Deliveries;
using Ledger.Domain.Loans;
using Ledger.Domain.Money;
using Ledger.Projections.Alliances;
using Ledger.Projections.Deliveries;
using Ledger.Projections.Loans;
using Marten;

namespace Ledger.Api.Iso18626;

/// <summary>
/// POST …/iso18626: an ISO 18626 message mapped onto the loan and delivery commands, answered with the matching
/// confirmation (OK, or ERROR with the type and the element at fault). The same message twice records once.
/// </summary>
public static class Iso18626Endpoint
{
    public const long MaxBytes = 1024 * 1024;
    private static readonly XNamespace Ns = Iso18626Message.Namespace;

    public static void Map(RouteGroupBuilder alliance) => alliance.MapPost("/iso18626", async (string alliance, HttpContext http, CommandRunner runner,
            IDocumentStore store, TimeBounds bounds) =>
        {
            MediaTypes.MustBe(http.Request, "application/xml", "text/xml");
            var received = http.Now();
            Iso18626Message? message = null;
            try
            {
                message = await Iso18626Message.Parse(http.Request.Body, http.RequestAborted);
            }
            catch (IsoError e)
            {
                return Xml(Confirmation(null, e, received));
            }
            return Xml(await Handle(message, alliance, http.Caller(), runner, store, bounds, received, http.RequestAborted));
        })
        .WithMetadata(new BodySizeLimit(MaxBytes)).TakesBody("application/xml", "text/xml")
        .RequireAuthorization(Policies.RecordActivity).WithName("Iso18626").WithTags("ISO 18626");

    /// <summary>Applies a parsed message as the caller and answers with its confirmation (HTTP and queue alike).</summary>
    public static async Task<(XDocument Confirmation, IsoError? Error)> Handle(Iso18626Message m, string alliance, Caller caller, CommandRunner runner,
        IDocumentStore store, TimeBounds bounds, DateTimeOffset received, CancellationToken ct)
    {
        IsoError? error = null;
        try
        {
            // The header timestamp becomes the business date: one ahead of the clock would date a charge outside every period.
            if (m.Timestamp is { } t && bounds.Refuse(t) is { } why)
                throw new IsoError(IsoErrors.UnrecognisedDataValue, $"header/timestamp: {why}");
            await Apply(m, alliance, caller, runner, store, received, ct);
        }
        catch (IsoError e)
        {
            error = e;
        }
        catch (Rejected e)
        {
            error = new IsoError(IsoErrors.UnrecognisedDataValue, $"{e.Code}: {e.Message}");
        }
        catch (NotFound e)
        {
            error = new IsoError(IsoErrors.UnrecognisedDataValue, $"{e.Code}: {e.Message}");
        }
        return Confirmation(m, error, received);
    }

    private static IResult Xml((XDocument Confirmation, IsoError? Error) answer) =>
        Results.Text(answer.Confirmation.Declaration + Environment.NewLine + answer.Confirmation.ToString(SaveOptions.DisableFormatting),
            "application/xml", System.Text.Encoding.UTF8);

    private static async Task Apply(Iso18626Message m, string allianceCode, Caller caller, CommandRunner runner, IDocumentStore store,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.QuerySession(allianceCode);
        var alliance = CommandRunner.AllianceOrNotFound((await session.LoadAsync<AllianceView>(StreamKeys.Alliance, ct))?.State, allianceCode);
        var at = m.Timestamp ?? now;
        // A cost in another currency is not the alliance's money: it is refused, never taken as yuan.
        foreach (var (currency, where) in new[] { (m.MaximumCostCurrency, "billingInfo/maximumCosts/currencyCode"), (m.DeliveryCostCurrency, "deliveryInfo/deliveryCosts/currencyCode") })
            if (currency is not null && !string.Equals(currency, alliance.Currency, StringComparison.Ordinal))
                throw new IsoError(IsoErrors.UnrecognisedDataValue, $"{where} '{currency}': {alliance.Code} settles in {alliance.Currency} only");
        var id = m.RequestId;
        if (m.Kind == Iso18626Message.Request)
        {
            var borrower = Member(alliance, m.Requesting, "header/requestingAgencyId");
            var lender = Member(alliance, m.Supplying, "header/supplyingAgencyId");
            var title = m.Title ?? "(no title given)";
            long? max = m.MaximumCost is { } c ? Fen.FromAmount(c) : null;
            switch (m.ServiceType)
            {
                case "Loan" or "CopyOrLoan":
                    await LoanCommands.Execute(caller, runner, allianceCode, id, new RequestLoan(id, borrower, lender, Clip(title, 500), max, at), null, ct);
                    return;
                case "Copy":
                    var rush = m.ServiceLevel is "Rush" or "Express";
                    await DeliveryCommands.Execute(caller, runner, allianceCode, id, new RequestDelivery(id, borrower, lender, Clip(title, 500), rush, max, at), null, ct);
                    return;
                default:
                    throw new IsoError(IsoErrors.UnrecognisedDataValue, $"serviceInfo/serviceType '{m.ServiceType}': the ledger takes Loan, Copy or CopyOrLoan");
            }
        }

        // Later messages name a request the ledger already has: a loan or a delivery.
        var isLoan = await session.LoadAsync<LoanView>(StreamKeys.Loan(id), ct) is { State: not null };
        var isDelivery = !isLoan && await session.LoadAsync<DeliveryView>(StreamKeys.Delivery(id), ct) is { State: not null };
        if (!isLoan && !isDelivery)
            throw new IsoError(IsoErrors.UnrecognisedDataValue, $"header/requestingAgencyRequestId '{id}' names no request the ledger knows");
        if (m.Kind == Iso18626Message.SupplyingAgencyMessage)
        {
            long? cost = m.DeliveryCost is { } d ? Fen.FromAmount(d) : null;
            // The supplier refusing a cancel records nothing, with or without a status.
            if (m.ReasonForMessage == "CancelResponse" && m.AnswerYesNo == "N") return;
            switch (m.Status)
            {
                case "Loaned" when isLoan:
                    await LoanCommands.Execute(caller, runner, allianceCode, id, new ShipLoan(cost, at, DisputeOverMaximum: true), null, ct);
                    return;
                case "CopyCompleted" when isDelivery:
                    await DeliveryCommands.Execute(caller, runner, allianceCode, id, new FulfilDelivery(0, cost, at, DisputeOverMaximum: true), null, ct);
                    return;
                case "Unfilled":
                    var reason = m.ReasonUnfilled ?? "unfilled (no reason given)";
                    if (isLoan) await LoanCommands.Execute(caller, runner, allianceCode, id, new MarkLoanUnfilled(Clip(reason, 500), at), null, ct);
                    else await DeliveryCommands.Execute(caller, runner, allianceCode, id, new MarkDeliveryUnfilled(Clip(reason, 500), at), null, ct);
                    return;
                case "LoanCompleted" when isLoan:
                    await LoanCommands.Execute(caller, runner, allianceCode, id, new ReturnLoan(at), null, ct);
                    return;
                case "Cancelled":
                    if (isLoan) await LoanCommands.Execute(caller, runner, allianceCode, id, new CancelLoan("cancelled by the supplier", at), null, ct);
                    else await DeliveryCommands.Execute(caller, runner, allianceCode, id, new CancelDelivery("cancelled by the supplier", at), null, ct);
                    return;
                case "RequestReceived" or "ExpectToSupply" or "WillSupply" or "HoldReturn" or "Overdue" or "Recalled" or "ReleaseHoldReturn"
                    or "RetryPossible":
                    return; // a progress report: nothing moves in the ledger
                case null:
                    throw new IsoError(IsoErrors.BadlyFormedMessage, "statusInfo/status is missing");
                default:
                    throw new IsoError(IsoErrors.UnsupportedReasonForMessageType,
                        $"statusInfo/status '{m.Status}' does not apply to a {(isLoan ? "loan" : "copy")}");
            }
        }

        switch (m.Action)
        {
            case "Received" when isLoan:
                await LoanCommands.Execute(caller, runner, allianceCode, id, new ReceiveLoan(at), null, ct);
                return;
            case "Received":
                return; // a copy received: its charge was posted when it was completed
            case "ShippedReturn" when isLoan:
                await LoanCommands.Execute(caller, runner, allianceCode, id, new ReturnLoan(at), null, ct);
                return;
            case "Cancel":
                if (isLoan) await LoanCommands.Execute(caller, runner, allianceCode, id, new CancelLoan(m.Note is { } n ? Clip(n, 500) : null, at), null, ct);
                else await DeliveryCommands.Execute(caller, runner, allianceCode, id, new CancelDelivery(m.Note is { } n2 ? Clip(n2, 500) : null, at), null, ct);
                return;
            case "Lost" when isLoan:
                var loan = (await session.LoadAsync<LoanView>(StreamKeys.Loan(id), ct))!.State!;
                var replacement = loan.MaximumCostFen
                                  ?? throw new IsoError(IsoErrors.UnrecognisedDataValue, "action Lost: the request gave no maximumCosts to charge as replacement cost");
                await LoanCommands.Execute(caller, runner, allianceCode, id, new DeclareLoanLost(replacement, at), null, ct);
                return;
            case "StatusRequest" or "Notification":
                return;
            case null:
                throw new IsoError(IsoErrors.BadlyFormedMessage, "action is missing");
            default:
                throw new IsoError(IsoErrors.UnsupportedActionType, $"action '{m.Action}' does not apply to a {(isLoan ? "loan" : "copy")}");
        }
    }

    private static string Member(Alliance alliance, AgencyRef? agency, string where) =>
        agency is null
            ? throw new IsoError(IsoErrors.BadlyFormedMessage, $"{where} is missing")
            : alliance.MemberByAgency(agency.Type, agency.Value)?.Code
              ?? throw new IsoError(IsoErrors.UnrecognisedDataValue, $"{where} {agency.Type}:{agency.Value} is no member of {alliance.Code}");

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;

    /// <summary>The confirmation of the message's kind: OK, or ERROR with its type and value.</summary>
    private static (XDocument, IsoError?) Confirmation(Iso18626Message? m, IsoError? error, DateTimeOffset received)
    {
        var kind = m?.Kind ?? Iso18626Message.Request;
        var header = new XElement(Ns + "confirmationHeader");
        if (m?.Supplying is { } s) header.Add(AgencyElement("supplyingAgencyId", s));
        if (m?.Requesting is { } r) header.Add(AgencyElement("requestingAgencyId", r));
        // The ledger answers in the same request, so the confirmation is dated by the host's clock when the message came.
        header.Add(new XElement(Ns + "timestamp", received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")));
        if (m is not null) header.Add(new XElement(Ns + "requestingAgencyRequestId", m.RequestId));
        header.Add(new XElement(Ns + "timestampReceived", received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")));
        header.Add(new XElement(Ns + "messageStatus", error is null ? "OK" : "ERROR"));
        // The v1.2 schema's order: the header, then reasonForMessage or action, then errorData.
        var confirmation = new XElement(Ns + (kind + "Confirmation"), header);
        if (m?.Kind == Iso18626Message.SupplyingAgencyMessage && m.ReasonForMessage is { } reason) confirmation.Add(new XElement(Ns + "reasonForMessage", reason));
        if (m?.Kind == Iso18626Message.RequestingAgencyMessage && m.Action is { } action) confirmation.Add(new XElement(Ns + "action", action));
        if (error is not null)
            confirmation.Add(new XElement(Ns + "errorData", new XElement(Ns + "errorType", error.Type), new XElement(Ns + "errorValue", error.Value)));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(Ns + "ISO18626Message", new XAttribute(XNamespace.Xmlns + "ill", Ns), new XAttribute(Ns + "version", "1.2"), confirmation));
        return (document, error);
    }

    private static XElement AgencyElement(string name, AgencyRef a) =>
        new(Ns + name, new XElement(Ns + "agencyIdType", a.Type), new XElement(Ns + "agencyIdValue", a.Value));
}
