using System.Globalization;
using System.Text;

namespace Ledger.Benchmarks;

/// <summary>A history file in the import's CSV format: finished loans (four events each) and copies (two), spread over 2026.</summary>
public static class History
{
    public static async Task<(long Rows, long Events)> Write(string path, long events, IReadOnlyList<string> members)
    {
        var random = new Random(7);
        await using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        await file.WriteLineAsync("kind,id,borrower,lender,title,requested_at,filled_at,pages,charge,received_at,returned_at,unfilled_at,unfilled_reason");
        long rows = 0, written = 0;
        var start = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.FromHours(8));
        while (written < events)
        {
            var borrower = members[random.Next(members.Count)];
            var lender = members[(Array.IndexOf(members.ToArray(), borrower) + 1 + random.Next(members.Count - 1)) % members.Count];
            var at = start.AddMinutes(random.Next(0, 60 * 24 * 280));
            string F(DateTimeOffset d) => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            if (rows % 2 == 0)
            {
                await file.WriteLineAsync($"loan,H{rows},{borrower},{lender},book {rows},{F(at)},{F(at.AddHours(20))},,,{F(at.AddDays(3))},{F(at.AddDays(24))},,");
                written += 4;
            }
            else
            {
                await file.WriteLineAsync($"copy,H{rows},{borrower},{lender},article {rows},{F(at)},{F(at.AddHours(5))},{random.Next(1, 40)},,,,,");
                written += 2;
            }
            rows++;
        }
        return (rows, written);
    }
}
