using System.Text;
using Ledger.Domain.Sharing;

namespace Ledger.Domain.Tests.Sharing;

public class CounterReportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "counter");

    /// <summary>
    /// The project's own fixtures (always), and the official COUNTER samples from ../shared/reference/counter when the
    /// checkout has them: file, release, begin date, unique and total item requests.
    /// </summary>
    public static IEnumerable<object[]> Reports()
    {
        yield return ["jalis-nju-2026.r5.json", "5", "2026-01-01", 179L, 215L];
        yield return ["jalis-seu-2026.r51.json", "5.1", "2026-01-01", 59L, 75L];
        if (System.IO.File.Exists(Path.Combine(Folder, "Sample-TR_J1.r5.json")))
            yield return ["Sample-TR_J1.r5.json", "5", "2016-01-01", 37L, 40L];
        if (System.IO.File.Exists(Path.Combine(Folder, "TRJ1_sample.r51.json")))
            yield return ["TRJ1_sample.r51.json", "5.1", "2022-01-01", 3_792L, 8_844L];
    }

    [Theory]
    [MemberData(nameof(Reports))]
    public void a_report_totals_the_chosen_metric_over_every_item_and_month(string file, string release, string begin, long unique, long total)
    {
        var bytes = System.IO.File.ReadAllBytes(Path.Combine(Folder, file));
        var u = CounterReports.Read(bytes, CounterReports.UniqueItemRequests);
        u.Count.ShouldBe(unique);
        u.Release.ShouldBe(release);
        u.ReportId.ShouldBe("TR_J1");
        u.BeginDate.ShouldBe(DateOnly.Parse(begin));
        u.Sha256.Length.ShouldBe(64);
        CounterReports.Read(bytes, CounterReports.TotalItemRequests).Count.ShouldBe(total);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"Report_Items":[]}""", "has no Report_Header")]
    [InlineData("""{"Report_Header":{"Report_ID":"PR","Release":"5"},"Report_Items":[]}""", "Report_ID is PR")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"4"},"Report_Items":[]}""", "Release is 4")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5"}}""", "has no Report_Items")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5"},"Report_Items":[{"Performance":[{"Instance":[{"Metric_Type":"Unique_Item_Requests","Count":-1}]}]}]}""", "at least 0")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5"},"Report_Items":[{"Performance":[{"Instance":[{"Metric_Type":"Unique_Item_Requests","Count":1.5}]}]}]}""", "whole number")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5"},"Report_Items":[{"Performance":[{"Instance":[{"Metric_Type":"Total_Item_Requests","Count":3}]}]}]}""", "has no Unique_Item_Requests")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5.1"},"Report_Items":[{"Attribute_Performance":[{"Performance":{"Unique_Item_Requests":{"Jan":3}}}]}]}""", "not a month")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5.1"},"Report_Items":[{"Performance":[]}]}""", "has no Attribute_Performance")]
    [InlineData("""{"Report_Header":{"Report_ID":"TR_J1","Release":"5","Report_Filters":[{"Name":"Begin_Date","Value":"soon"}]},"Report_Items":[]}""", "is not a date")]
    public void a_file_that_is_not_a_readable_report_is_refused_with_what_is_wrong(string json, string says)
    {
        var e = Should.Throw<CounterReportInvalid>(() => CounterReports.Read(Encoding.UTF8.GetBytes(json), CounterReports.UniqueItemRequests));
        e.Message.ShouldContain(says);
    }

    [Fact]
    public void a_report_with_no_items_is_zero_usage_and_the_hash_names_the_exact_bytes()
    {
        var a = CounterReports.Read("""{"Report_Header":{"Report_ID":"TR","Release":"5"},"Report_Items":[]}"""u8, CounterReports.UniqueItemRequests);
        var b = CounterReports.Read("""{"Report_Header":{"Report_ID":"TR","Release":"5"},"Report_Items":[] }"""u8, CounterReports.UniqueItemRequests);
        a.Count.ShouldBe(0);
        a.Sha256.ShouldNotBe(b.Sha256);
    }
}
