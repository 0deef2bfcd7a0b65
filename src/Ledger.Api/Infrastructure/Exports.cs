using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.WebUtilities;
using SpreadCheetah;

namespace Ledger.Api.Infrastructure;

/// <summary>A table to export: a sheet of the workbook, or the CSV file when it is the only one.</summary>
public sealed record ExportTable(string Name, IReadOnlyList<string> Headers, IEnumerable<object?[]> Rows);

/// <summary>
/// One report in three formats, chosen by <c>?format=</c>: <c>json</c> (default), <c>csv</c> (the first table, RFC 4180,
/// UTF-8 with a byte-order mark so spreadsheet programs read Chinese names) or <c>xlsx</c> (one sheet per table). CSV
/// and workbooks are written straight to the response as rows are produced.
/// </summary>
public static partial class Exports
{
    public static Task<IResult> Answer(HttpContext http, string? format, string fileName, object json, params ExportTable[] tables) =>
        Answer(http, format, fileName, json, null, tables);

    /// <summary>
    /// A report whose content never changes (a closed period's settlement and statements): its workbook is stamped with
    /// <paramref name="stampedAt"/> (the close) instead of the download time, so every download is the same file, byte
    /// for byte, and its checksum can be quoted.
    /// </summary>
    public static async Task<IResult> Answer(HttpContext http, string? format, string fileName, object json, DateTimeOffset? stampedAt, params ExportTable[] tables)
    {
        switch (format ?? "json")
        {
            case "json":
                return Results.Ok(json);
            case "csv":
                return new StreamedFile("text/csv; charset=utf-8", $"{fileName}.csv", stream => Csv(stream, tables[0], http.RequestAborted));
            case "xlsx":
                return new StreamedFile("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{fileName}.xlsx", async stream =>
                {
                    // The workbook is a zip, whose writer writes synchronously; it goes through a buffer that spills to a
                    // temporary file past 1 MiB, then to the response asynchronously.
                    await using var buffer = new FileBufferingWriteStream(memoryThreshold: 1024 * 1024);
                    if (stampedAt is { } stamp)
                    {
                        using var workbook = new MemoryStream();
                        await Xlsx(workbook, tables, http.RequestAborted);
                        Restamp(workbook, buffer, stamp);
                    }
                    else await Xlsx(buffer, tables, http.RequestAborted);
                    await buffer.DrainBufferAsync(stream, http.RequestAborted);
                });
            default:
                await Task.CompletedTask;
                throw new BadHttpRequestException("format must be json, csv or xlsx");
        }
    }

    /// <summary>
    /// CsvHelper writes synchronously, and the server refuses synchronous writes to a response; so rows are written to a
    /// buffer a thousand at a time and each buffer is sent asynchronously.
    /// </summary>
    private static async Task Csv(Stream stream, ExportTable table, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var options = new CsvWriterOptions { Injection = CsvInjection.None, WriteByteOrderMark = true, FormatProvider = CultureInfo.InvariantCulture };
        using (var csv = CsvWriter.Create(buffer, options, true))
        {
            foreach (var h in table.Headers) csv.WriteField(h);
            csv.EndRecord();
            var n = 0;
            foreach (var row in table.Rows)
            {
                foreach (var cell in row) csv.WriteField(CsvText(cell));
                csv.EndRecord();
                if (++n % 1000 != 0) continue;
                csv.Flush();
                await Send(buffer, stream, ct);
            }
            csv.Flush();
        }
        await Send(buffer, stream, ct);
    }

    /// <summary>Numbers as they are (a negative amount is no formula); text that a spreadsheet would run is prefixed with '.</summary>
    private static string CsvText(object? value)
    {
        var text = Text(value);
        return value is string && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }

    private static async Task Send(MemoryStream buffer, Stream to, CancellationToken ct)
    {
        buffer.Position = 0;
        await buffer.CopyToAsync(to, ct);
        buffer.SetLength(0);
    }

    private static async Task Xlsx(Stream stream, IReadOnlyList<ExportTable> tables, CancellationToken ct)
    {
        await using var sheet = await Spreadsheet.CreateNewAsync(stream, cancellationToken: ct);
        foreach (var table in tables)
        {
            await sheet.StartWorksheetAsync(table.Name, token: ct);
            await sheet.AddRowAsync(table.Headers.Select(h => new Cell(h)).ToArray(), ct);
            foreach (var row in table.Rows)
                await sheet.AddRowAsync(row.Select(CellOf).ToArray(), ct);
        }
        await sheet.FinishAsync(ct);
    }

    /// <summary>
    /// The workbook again with every zip entry dated <paramref name="stamp"/> and the document's creation time set to it:
    /// the two places a workbook carries the time it was written.
    /// </summary>
    private static void Restamp(MemoryStream workbook, Stream to, DateTimeOffset stamp)
    {
        workbook.Position = 0;
        var utc = new DateTimeOffset(stamp.UtcDateTime, TimeSpan.Zero);
        using var source = new System.IO.Compression.ZipArchive(workbook, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
        using var target = new System.IO.Compression.ZipArchive(to, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.Optimal);
            copy.LastWriteTime = utc;
            using var input = entry.Open();
            using var output = copy.Open();
            if (entry.FullName == "docProps/core.xml")
            {
                using var reader = new StreamReader(input);
                var xml = CreatedTime().Replace(reader.ReadToEnd(), $"${{1}}{utc:yyyy-MM-dd'T'HH:mm:ss'Z'}$2");
                output.Write(System.Text.Encoding.UTF8.GetBytes(xml));
            }
            else input.CopyTo(output);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)")]
    private static partial System.Text.RegularExpressions.Regex CreatedTime();

    private static Cell CellOf(object? value) => value switch
    {
        null => new Cell(),
        decimal d => new Cell(d),
        int i => new Cell(i),
        long l => new Cell((decimal)l),
        double x => new Cell(x),
        _ => new Cell(Text(value)),
    };

    private static string Text(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A download written by a callback straight into the response body.</summary>
    private sealed class StreamedFile(string contentType, string fileName, Func<Stream, Task> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = contentType;
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await write(http.Response.Body);
        }
    }
}
