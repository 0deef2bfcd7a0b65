using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Ledger.Api.Infrastructure;

public static partial class Json
{
    /// <summary>
    /// camelCase properties, enums as kebab-case strings (never numbers), and unknown and repeated fields rejected: a misspelt
    /// field in a money command must fail loudly rather than be ignored. Numbers are exact decimals as written (no exponent),
    /// times carry their offset, and text carries no control characters.
    /// </summary>
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        o.Converters.Add(new ExactDecimal());
        o.Converters.Add(new InstantWithOffset());
        o.Converters.Add(new CleanText());
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.AllowDuplicateProperties = false;
        o.MaxDepth = 32;
    }

    public const string NumberRule = "a number must be written as digits with an optional decimal fraction, without an exponent";
    public const string InstantRule = "a date and time must be ISO 8601 with its offset, such as 2026-10-12T08:30:00+08:00, from 1900 to 2999";
    public const string TextRule = "text must not contain control characters (other than tab and line breaks) or unpaired surrogates";

    /// <summary>The rules these readers refuse by, so an answer can say which one a value broke.</summary>
    public static readonly IReadOnlyList<string> Rules = [NumberRule, InstantRule, TextRule];


    /// <summary>
    /// A number written as digits with an optional fraction: <c>1e-400</c>, <c>1E3</c> and <c>12.5e1</c> are refused rather
    /// than rounded, so 0.001 and 1e-3 fare alike (refused by the amount rule). The value is parsed from its text exactly.
    /// </summary>
    private sealed class ExactDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException("a number is expected");
            // The reader has checked the JSON number grammar; what is left to refuse is the exponent.
            ReadOnlySpan<byte> text = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
            if (text.IndexOfAny((byte)'e', (byte)'E') >= 0
                || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                throw new JsonException(NumberRule);
            return value;
        }

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    /// <summary>An instant as ISO 8601 with its offset (<c>2026-10-12T08:30:00+08:00</c> or <c>…Z</c>): without one, the business date would depend on where the server runs.</summary>
    private sealed class InstantWithOffset : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("an ISO 8601 date and time with offset is expected");
            var text = reader.GetString()!;
            return TryParseInstant(text, out var value)
                ? value
                : throw new JsonException(InstantRule);
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>The one reading of an instant in text: the JSON bodies, the history import and query parameters share it.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && InstantPattern().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
               && Domain.DateRange.Contains(DateOnly.FromDateTime(value.UtcDateTime));
    }

    /// <summary>Text without control characters (tab, line feed and carriage return aside) and without unpaired surrogates: PostgreSQL stores neither.</summary>
    private sealed class CleanText : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("a string is expected");
            var text = reader.GetString()!;
            return IsClean(text) ? text : throw new JsonException(TextRule);
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>True when the text holds no control character other than tab, line feed or carriage return, and no unpaired surrogate.</summary>
    public static bool IsClean(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|z|[+-][0-9]{2}:[0-9]{2})\z")]
    private static partial Regex InstantPattern();
}
