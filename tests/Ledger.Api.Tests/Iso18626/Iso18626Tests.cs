using System.Net;
using System.Text;
using System.Xml.Linq;
using Ledger.Api.Security;
using Ledger.Api.Tests.Infrastructure;

namespace Ledger.Api.Tests.Iso18626;

/// <summary>
/// A platform drives loans and copies purely by ISO 18626 over HTTP, with messages shaped as ReShare sends them
/// (empty optional elements, version 1.1, elements from later revisions), and hostile or broken ones are refused.
/// </summary>
public class Iso18626Tests(LedgerApp<Iso18626Tests> app) : IClassFixture<LedgerApp<Iso18626Tests>>, IAsyncLifetime
{
    private const string A = TestAlliance.A;
    private const string Url = $"{A}/iso18626";
    private static readonly XNamespace Ns = "http://illtransactions.org/2013/iso18626";
    private readonly HttpClient platform = app.As(Roles.Service);

    public async Task InitializeAsync()
    {
        if (!await TestAlliance.Ensure(app)) return;
        var op = app.As(Roles.Operator);
        foreach (var m in new[] { "NJU", "SEU", "XZMU" })
            (await op.Post($"{A}/members/{m}/agency-ids", new { type = "ISIL", value = $"CN-{m}" })).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Header(string id, string requester = "CN-XZMU", string supplier = "CN-NJU", string timestamp = "2026-10-12T08:30:00+08:00") => $"""
        <ill:header>
          <ill:supplyingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>{supplier}</ill:agencyIdValue></ill:supplyingAgencyId>
          <ill:requestingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>{requester}</ill:agencyIdValue></ill:requestingAgencyId>
          <ill:timestamp>{timestamp}</ill:timestamp>
          <ill:requestingAgencyRequestId>{id}</ill:requestingAgencyRequestId>
          <ill:supplyingAgencyRequestId />
        </ill:header>
        """;

    private static string Envelope(string body) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626" ill:version="1.1">{body}</ill:ISO18626Message>""";

    public static string Request(string id, string serviceType, decimal? maximumCost, string requester = "CN-XZMU") => Envelope($"""
        <ill:request>{Header(id, requester)}
          <ill:bibliographicInfo><ill:title>Harrison's Principles of Internal Medicine</ill:title><ill:author /></ill:bibliographicInfo>
          <ill:serviceInfo><ill:serviceType>{serviceType}</ill:serviceType><ill:serviceLevel /><ill:needBeforeDate /></ill:serviceInfo>
          <ill:billingInfo>{(maximumCost is { } m ? $"<ill:maximumCosts><ill:currencyCode>CNY</ill:currencyCode><ill:monetaryValue>{m}</ill:monetaryValue></ill:maximumCosts>" : "")}<ill:offeredCosts /></ill:billingInfo>
        </ill:request>
        """);

    public static string Supplying(string id, string status, decimal? cost = null, string? reasonUnfilled = null, string timestamp = "2026-10-13T09:00:00+08:00") => Envelope($"""
        <ill:supplyingAgencyMessage>{Header(id, timestamp: timestamp)}
          <ill:messageInfo><ill:reasonForMessage>StatusChange</ill:reasonForMessage>{(reasonUnfilled is null ? "<ill:reasonUnfilled />" : $"<ill:reasonUnfilled>{reasonUnfilled}</ill:reasonUnfilled>")}</ill:messageInfo>
          <ill:statusInfo><ill:status>{status}</ill:status><ill:lastChange>{timestamp}</ill:lastChange></ill:statusInfo>
          <ill:deliveryInfo><ill:dateSent />{(cost is { } c ? $"<ill:deliveryCosts><ill:currencyCode>CNY</ill:currencyCode><ill:monetaryValue>{c}</ill:monetaryValue></ill:deliveryCosts>" : "")}<ill:URL>https://example.org/item</ill:URL></ill:deliveryInfo>
        </ill:supplyingAgencyMessage>
        """);

    public static string Requesting(string id, string action, string timestamp = "2026-10-15T09:00:00+08:00") => Envelope($"""
        <ill:requestingAgencyMessage>{Header(id, timestamp: timestamp)}<ill:action>{action}</ill:action><ill:note /></ill:requestingAgencyMessage>
        """);

    private async Task<(string Status, string? ErrorType, string? ErrorValue, string Kind)> Send(string xml, HttpClient? client = null)
    {
        var response = await (client ?? platform).PostAsync(Url, new StringContent(xml, Encoding.UTF8, "application/xml"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var doc = XDocument.Parse(await response.Content.ReadAsStringAsync());
        var confirmation = doc.Root!.Elements().Single();
        return (confirmation.Descendants(Ns + "messageStatus").Single().Value, confirmation.Descendants(Ns + "errorType").SingleOrDefault()?.Value,
            confirmation.Descendants(Ns + "errorValue").SingleOrDefault()?.Value, confirmation.Name.LocalName);
    }

    private async Task<System.Text.Json.JsonElement> Loan(string id) => await (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/loans/{id}")).Json();

    [Fact]
    public async Task a_loan_goes_from_request_to_return_by_iso_18626_alone_and_a_repeated_message_records_nothing()
    {
        (await Send(Request("ISO-L1", "Loan", 60m))).ShouldBe(("OK", null, null, "requestConfirmation"));
        var events = await app.EventCount();
        (await Send(Request("ISO-L1", "Loan", 60m))).Status.ShouldBe("OK");
        (await app.EventCount()).ShouldBe(events);

        (await Send(Supplying("ISO-L1", "Loaned", 40m))).ShouldBe(("OK", null, null, "supplyingAgencyMessageConfirmation"));
        var shipped = await Loan("ISO-L1");
        shipped.GetProperty("status").GetString().ShouldBe("shipped");
        shipped.GetProperty("borrower").GetString().ShouldBe("XZMU");
        shipped.GetProperty("charge").Decimal("fee").ShouldBe(40m);
        (await Send(Requesting("ISO-L1", "Received"))).Kind.ShouldBe("requestingAgencyMessageConfirmation");
        (await Loan("ISO-L1")).GetProperty("status").GetString().ShouldBe("received");
        (await Send(Requesting("ISO-L1", "ShippedReturn", "2026-11-01T09:00:00+08:00"))).Status.ShouldBe("OK");
        (await Send(Supplying("ISO-L1", "LoanCompleted", timestamp: "2026-11-02T09:00:00+08:00"))).Status.ShouldBe("OK");
        (await Loan("ISO-L1")).GetProperty("status").GetString().ShouldBe("returned");
    }

    [Fact]
    public async Task a_copy_is_requested_and_completed_with_the_suppliers_cost_and_an_unfilled_loan_keeps_its_reason()
    {
        (await Send(Request("ISO-C1", "Copy", null))).Status.ShouldBe("OK");
        (await Send(Supplying("ISO-C1", "CopyCompleted", 12.50m))).Status.ShouldBe("OK");
        var copy = await (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/deliveries/ISO-C1")).Json();
        copy.GetProperty("status").GetString().ShouldBe("fulfilled");
        copy.GetProperty("charge").Decimal("fee").ShouldBe(12.50m);

        (await Send(Request("ISO-U1", "Loan", null))).Status.ShouldBe("OK");
        (await Send(Supplying("ISO-U1", "Unfilled", reasonUnfilled: "NotOnShelf"))).Status.ShouldBe("OK");
        var unfilled = await Loan("ISO-U1");
        unfilled.GetProperty("status").GetString().ShouldBe("unfilled");
        unfilled.GetProperty("reason").GetString().ShouldBe("NotOnShelf");
        (await Send(Supplying("ISO-U1", "ExpectToSupply"))).Status.ShouldBe("OK"); // a progress report records nothing
    }

    [Fact]
    public async Task a_charge_above_the_maximum_is_held_as_a_dispute_that_the_finance_officer_resolves()
    {
        (await Send(Request("ISO-D1", "Loan", 30m))).Status.ShouldBe("OK");
        (await Send(Supplying("ISO-D1", "Loaned", 45m))).Status.ShouldBe("OK");
        var held = await Loan("ISO-D1");
        held.GetProperty("status").GetString().ShouldBe("requested");
        held.GetProperty("dispute").Decimal("statedCharge").ShouldBe(45m);
        held.GetProperty("dispute").Decimal("maximumCost").ShouldBe(30m);
        (await Send(Supplying("ISO-D1", "Loaned", 45m))).Status.ShouldBe("OK"); // the same dispute again records nothing new
        // The finance officer's list of open disputes shows it (the console's overview reads this list).
        var open = await (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/disputes")).Json();
        var listed = open.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "ISO-D1");
        listed.GetProperty("kind").GetString().ShouldBe("loan");
        listed.Decimal("statedCharge").ShouldBe(45m);
        listed.Decimal("maximumCost").ShouldBe(30m);

        (await platform.Post($"{A}/loans/ISO-D1/charge-dispute", new { accept = true, reason = "agreed by phone" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var resolved = await (await app.As(Roles.FinanceOfficer).Post($"{A}/loans/ISO-D1/charge-dispute", new { accept = true, reason = "agreed by phone" })).Json();
        resolved.GetProperty("status").GetString().ShouldBe("shipped");
        resolved.GetProperty("charge").Decimal("fee").ShouldBe(45m);
        resolved.GetProperty("dispute").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await (await app.As(Roles.FinanceOfficer).GetAsync($"{A}/disputes")).Json()).EnumerateArray()
            .ShouldNotContain(d => d.GetProperty("id").GetString() == "ISO-D1");
    }

    [Theory]
    [InlineData("<not-xml", "BadlyFormedMessage", "not well-formed")]
    [InlineData("""<?xml version="1.0"?><ISO18626Message xmlns="urn:other"><request/></ISO18626Message>""", "UnrecognisedDataElement", "namespace")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ill:ISO18626Message xmlns:ill="http://illtransactions.org/2013/iso18626"><ill:request><ill:header><ill:requestingAgencyRequestId>&lol3;</ill:requestingAgencyRequestId></ill:header></ill:request></ill:ISO18626Message>""", "BadlyFormedMessage", "entities")]
    public async Task broken_and_hostile_documents_are_answered_with_an_error_and_change_nothing(string xml, string errorType, string says)
    {
        var before = await app.EventCount();
        var (status, type, value, _) = await Send(xml);
        status.ShouldBe("ERROR");
        type.ShouldBe(errorType);
        value!.ShouldContain(says);
        (await app.EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task unusable_messages_name_the_element_at_fault_and_change_nothing()
    {
        var before = await app.EventCount();
        var unknownAgency = await Send(Request("ISO-X1", "Loan", null, requester: "CN-NOBODY"));
        (unknownAgency.ErrorType, unknownAgency.ErrorValue).ShouldBe(("UnrecognisedDataValue", "header/requestingAgencyId ISIL:CN-NOBODY is no member of TST"));
        (await Send(Request("ISO-X1", "Loan", null).Replace("<ill:monetaryValue>", "<ill:monetaryValue>"))).Status.ShouldBe("OK");
        var badAmount = await Send(Supplying("ISO-X1", "Loaned").Replace("<ill:dateSent />", "<ill:deliveryCosts><ill:monetaryValue>forty</ill:monetaryValue></ill:deliveryCosts>"));
        badAmount.ErrorType.ShouldBe("UnrecognisedDataValue");
        badAmount.ErrorValue!.ShouldContain("deliveryInfo/deliveryCosts/monetaryValue");
        (await Send(Supplying("NO-SUCH", "Loaned"))).ErrorValue!.ShouldContain("requestingAgencyRequestId");
        (await Send(Requesting("ISO-X1", "Renew"))).ErrorType.ShouldBe("UnsupportedActionType");
        (await Send(Request("ISO-X2", "Journal", null))).ErrorType.ShouldBe("UnrecognisedDataValue");
        (await Send(Request("bad id!", "Loan", null))).ErrorValue!.ShouldContain("requestingAgencyRequestId");
        (await Send(Supplying("ISO-X1", "Bogus"))).ErrorType.ShouldBe("UnsupportedReasonForMessageType");
        (await app.EventCount()).ShouldBe(before + 1); // only ISO-X1's request
    }

    [Fact]
    public async Task an_oversized_document_is_refused_before_it_is_read()
    {
        var huge = Request("ISO-BIG", "Loan", null).Replace("Harrison's", new string('x', 1_100_000));
        var response = await platform.PostAsync(Url, new StringContent(huge, Encoding.UTF8, "application/xml"));
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }
}
