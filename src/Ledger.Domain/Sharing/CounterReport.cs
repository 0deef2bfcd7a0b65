using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ledger.Domain.Sharing;

/// <summary>The usage a COUNTER report gives for one metric, with what identifies the report.</summary>
public sealed record CounterUsage(
    string Release, string ReportId, string Metric, long Count, DateOnly? BeginDate, DateOnly? EndDate,
    string? InstitutionName, int Items, string Sha256);

/// <summary>A usage file that is not a COUNTER report this ledger reads; the message says what is wrong.</summary>
public sealed class CounterReportInvalid(string message) : Exception(message);

/// <summary>
/// Reads COUNTER Release 5 and 5.1 JSON reports (TR_J1, TR or DR) and totals one metric over every item and month.
/// R5: <c>Report_Items[].Performance[].Instance[]{Metric_Type, Count}</c>;
/// R5.1: <c>Report_Items[].Attribute_Performance[].Performance{Metric: {"YYYY-MM": n}}</c>.
/// </summary>
public static class CounterReports
{
    public const string UniqueItemRequests = "Unique_Item_Requests";
    public const string TotalItemRequests = "Total_Item_Requests";
    public static readonly IReadOnlyList<string> Metrics = [UniqueItemRequests, TotalItemRequests];
    public static readonly IReadOnlyList<string> Reports = ["TR_J1", "TR", "DR"];

    public static CounterUsage Read(ReadOnlySpan<byte> json, string metric)
    {
        try
        {
            return ReadChecked(json, metric);
        }
        catch (OverflowException)
        {
            throw new CounterReportInvalid($"the {metric} counts add up to more than {long.MaxValue:N0}: no real report counts so much");
        }
    }

    private static CounterUsage ReadChecked(ReadOnlySpan<byte> json, string metric)
    {
        if (!Metrics.Contains(metric)) throw new CounterReportInvalid($"the metric must be one of {string.Join(", ", Metrics)}");
        var sha = Convert.ToHexString(SHA256.HashData(json)).ToLowerInvariant();
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new CounterReportInvalid($"the file is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CounterReportInvalid("the report must be a JSON object");
            var header = Property(root, "Report_Header", JsonValueKind.Object, "the report");
            var reportId = Text(header, "Report_ID");
            if (!Reports.Contains(reportId))
                throw new CounterReportInvalid($"Report_ID is {reportId}; a usage upload takes {string.Join(", ", Reports)}");
            var release = Text(header, "Release");
            if (release is not ("5" or "5.1"))
                throw new CounterReportInvalid($"Release is {release}; this ledger reads COUNTER releases 5 and 5.1");
            var (begin, end) = Dates(header, release);
            var institution = header.TryGetProperty("Institution_Name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

            var items = Property(root, "Report_Items", JsonValueKind.Array, "the report");
            long count = 0;
            var seen = false;
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                var where = $"Report_Items[{index}]";
                if (item.ValueKind != JsonValueKind.Object) throw new CounterReportInvalid($"{where} must be an object");
                count = checked(count + (release == "5" ? R5(item, metric, where, ref seen) : R51(item, metric, where, ref seen)));
                index++;
            }
            if (index > 0 && !seen)
                throw new CounterReportInvalid($"the report has no {metric}: choose the metric it carries or another report");
            return new CounterUsage(release, reportId, metric, count, begin, end, institution, index, sha);
        }
    }

    private static long R5(JsonElement item, string metric, string where, ref bool seen)
    {
        long sum = 0;
        var performance = Property(item, "Performance", JsonValueKind.Array, where);
        var p = 0;
        foreach (var period in performance.EnumerateArray())
        {
            var instances = Property(period, "Instance", JsonValueKind.Array, $"{where}.Performance[{p}]");
            var i = 0;
            foreach (var instance in instances.EnumerateArray())
            {
                var at = $"{where}.Performance[{p}].Instance[{i++}]";
                if (Text(instance, "Metric_Type", at) != metric) continue;
                seen = true;
                sum = checked(sum + Count(Property(instance, "Count", JsonValueKind.Number, at), at));
            }
            p++;
        }
        return sum;
    }

    private static long R51(JsonElement item, string metric, string where, ref bool seen)
    {
        long sum = 0;
        var attributes = Property(item, "Attribute_Performance", JsonValueKind.Array, where);
        var a = 0;
        foreach (var attribute in attributes.EnumerateArray())
        {
            var at = $"{where}.Attribute_Performance[{a++}]";
            var performance = Property(attribute, "Performance", JsonValueKind.Object, at);
            if (!performance.TryGetProperty(metric, out var months)) continue;
            if (months.ValueKind != JsonValueKind.Object) throw new CounterReportInvalid($"{at}.Performance.{metric} must be an object of months");
            seen = true;
            foreach (var month in months.EnumerateObject())
            {
                if (!DateOnly.TryParseExact(month.Name + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    throw new CounterReportInvalid($"{at}.Performance.{metric} has '{Clip(month.Name)}', not a month such as 2022-01");
                sum = checked(sum + Count(month.Value, $"{at}.Performance.{metric}.{month.Name}"));
            }
        }
        return sum;
    }

    private static (DateOnly?, DateOnly?) Dates(JsonElement header, string release)
    {
        if (!header.TryGetProperty("Report_Filters", out var filters)) return (null, null);
        string? begin = null, end = null;
        if (release == "5" && filters.ValueKind == JsonValueKind.Array)
        {
            foreach (var f in filters.EnumerateArray())
            {
                if (f.ValueKind != JsonValueKind.Object || !f.TryGetProperty("Name", out var n) || !f.TryGetProperty("Value", out var v)) continue;
                if (n.ValueKind != JsonValueKind.String || v.ValueKind != JsonValueKind.String) continue;
                if (n.GetString() == "Begin_Date") begin = v.GetString();
                if (n.GetString() == "End_Date") end = v.GetString();
            }
        }
        else if (release == "5.1" && filters.ValueKind == JsonValueKind.Object)
        {
            if (filters.TryGetProperty("Begin_Date", out var b) && b.ValueKind == JsonValueKind.String) begin = b.GetString();
            if (filters.TryGetProperty("End_Date", out var e) && e.ValueKind == JsonValueKind.String) end = e.GetString();
        }
        return (Date(begin, "Begin_Date"), Date(end, "End_Date"));
    }

    private static DateOnly? Date(string? text, string name)
    {
        if (text is null) return null;
        // R5 allows yyyy-MM for filters as well as yyyy-MM-dd.
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
        throw new CounterReportInvalid($"{name} '{Clip(text)}' is not a date");
    }

    private static long Count(JsonElement value, string at) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0
            ? n
            : throw new CounterReportInvalid($"{at} must be a whole number of at least 0");

    private static JsonElement Property(JsonElement parent, string name, JsonValueKind kind, string where)
    {
        if (parent.ValueKind != JsonValueKind.Object) throw new CounterReportInvalid($"{where} must be an object");
        if (!parent.TryGetProperty(name, out var value)) throw new CounterReportInvalid($"{where} has no {name}");
        return value.ValueKind == kind ? value : throw new CounterReportInvalid($"{where}.{name} must be {Article(kind)}");
    }

    private static string Text(JsonElement parent, string name, string where = "Report_Header") =>
        Property(parent, name, JsonValueKind.String, where).GetString()!;

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        _ => "a string",
    };

    private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
