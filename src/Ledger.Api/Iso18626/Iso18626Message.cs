using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace Ledger.Api.Iso18626;

/// <summary>ISO 18626 error types the ledger answers with.</summary>
public static class IsoErrors
{
    public const string BadlyFormedMessage = "BadlyFormedMessage";
    public const string UnrecognisedDataElement = "UnrecognisedDataElement";
    public const string UnrecognisedDataValue = "UnrecognisedDataValue";
    public const string UnsupportedActionType = "UnsupportedActionType";
    public const string UnsupportedReasonForMessageType = "UnsupportedReasonForMessageType";
}

/// <summary>A message the ledger cannot use: the ISO error type and a value that names the element and what is wrong.</summary>
public sealed class IsoError(string type, string value) : Exception(value)
{
    public string Type { get; } = type;
    public string Value { get; } = value;
}

public sealed record AgencyRef(string Type, string Value);

/// <summary>
/// The parts of an ISO 18626 message the ledger uses, read liberally: elements it does not use are ignored, empty
/// optional elements count as absent, and the version attribute is not checked. Only what the ledger needs must be
/// present and readable.
/// </summary>
public sealed record Iso18626Message(
    string Kind, AgencyRef? Supplying, AgencyRef? Requesting, DateTimeOffset? Timestamp, string RequestId,
    string? Title, string? ServiceType, string? ServiceLevel, decimal? MaximumCost,
    string? Status, string? ReasonForMessage, string? ReasonUnfilled, decimal? DeliveryCost, string? Action, string? Note,
    string? MaximumCostCurrency = null, string? DeliveryCostCurrency = null, string? AnswerYesNo = null)
{
    public const string Namespace = "http://illtransactions.org/2013/iso18626";
    public const string Request = "request";
    public const string SupplyingAgencyMessage = "supplyingAgencyMessage";
    public const string RequestingAgencyMessage = "requestingAgencyMessage";
    private static readonly XNamespace Ns = Namespace;
    private static readonly Regex Id = new(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z", RegexOptions.Compiled);

    /// <summary>No DTDs (so no entity expansion), no external resolution, a bounded document.</summary>
    public static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = 2_000_000,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        Async = true,
    };

    public static async Task<Iso18626Message> Parse(Stream body, CancellationToken ct)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(body, Settings);
            document = await XDocument.LoadAsync(reader, LoadOptions.None, ct);
        }
        catch (XmlException e)
        {
            throw new IsoError(IsoErrors.BadlyFormedMessage, e.Message.Contains("DTD", StringComparison.Ordinal)
                ? "document type definitions and entities are not accepted"
                : $"not well-formed XML (line {e.LineNumber}, position {e.LinePosition})");
        }
        var root = document.Root!;
        if (root.Name != Ns + "ISO18626Message")
            throw new IsoError(IsoErrors.UnrecognisedDataElement, $"the root must be ISO18626Message in namespace {Namespace}, not {root.Name.LocalName} in '{root.Name.NamespaceName}'");
        var message = root.Elements().FirstOrDefault()
                      ?? throw new IsoError(IsoErrors.BadlyFormedMessage, "ISO18626Message carries no message");
        var kind = message.Name.LocalName;
        if (message.Name.Namespace != Ns || kind is not (Request or SupplyingAgencyMessage or RequestingAgencyMessage))
            throw new IsoError(IsoErrors.UnrecognisedDataElement, $"{kind}: the ledger takes request, supplyingAgencyMessage and requestingAgencyMessage");

        var header = message.Element(Ns + "header") ?? throw new IsoError(IsoErrors.BadlyFormedMessage, "header is missing");
        var requestId = Text(header, "requestingAgencyRequestId")
                        ?? throw new IsoError(IsoErrors.BadlyFormedMessage, "header/requestingAgencyRequestId is missing");
        if (!Id.IsMatch(requestId))
            throw new IsoError(IsoErrors.UnrecognisedDataValue, "header/requestingAgencyRequestId must be 1–64 letters, digits, '-', '_' or '.'");

        return new Iso18626Message(kind, Agency(header, "supplyingAgencyId"), Agency(header, "requestingAgencyId"),
            ParseTimestamp(Text(header, "timestamp"), "header/timestamp"), requestId,
            Text(message, "bibliographicInfo", "title"), Text(message, "serviceInfo", "serviceType"), Text(message, "serviceInfo", "serviceLevel"),
            Amount(Text(message, "billingInfo", "maximumCosts", "monetaryValue"), "billingInfo/maximumCosts/monetaryValue"),
            Text(message, "statusInfo", "status"), Text(message, "messageInfo", "reasonForMessage"), Text(message, "messageInfo", "reasonUnfilled"),
            Amount(Text(message, "deliveryInfo", "deliveryCosts", "monetaryValue"), "deliveryInfo/deliveryCosts/monetaryValue"),
            Text(message, "action"), Text(message, "note"),
            Text(message, "billingInfo", "maximumCosts", "currencyCode"), Text(message, "deliveryInfo", "deliveryCosts", "currencyCode"),
            Text(message, "messageInfo", "answerYesNo"));
    }

    /// <summary>The trimmed text of a nested element, or null when it is missing or empty (as ReShare sends optional ones).</summary>
    private static string? Text(XElement parent, params string[] path)
    {
        XElement? e = parent;
        foreach (var name in path) e = e?.Element(Ns + name);
        var text = e?.Value.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static AgencyRef? Agency(XElement header, string name)
    {
        var type = Text(header, name, "agencyIdType");
        var value = Text(header, name, "agencyIdValue");
        return type is null || value is null ? null : new AgencyRef(type, value);
    }

    private static DateTimeOffset? ParseTimestamp(string? text, string where) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new IsoError(IsoErrors.UnrecognisedDataValue, $"{where} '{Clip(text)}' is not a date and time");

    private static decimal? Amount(string? text, string where)
    {
        if (text is null) return null;
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) && Domain.Money.Fen.IsValidAmount(a)
            ? a
            : throw new IsoError(IsoErrors.UnrecognisedDataValue, $"{where} '{Clip(text)}' is not an amount from 0 with at most two decimals");
    }

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
