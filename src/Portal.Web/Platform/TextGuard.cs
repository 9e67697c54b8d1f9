using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Web.Platform;

/// <summary>
/// Every string in a JSON request body passes here: NUL, other control characters (tab, CR and LF excepted) and lone
/// surrogates are refused with the field's path, a 400 naming it, before PostgreSQL refuses them with a 500
/// (jsonb cannot hold \u0000). No JSON string may be longer than <see cref="MaxLength"/> (the longest field, visit notes);
/// request records set tighter limits per field with [StringLength]. Writing is unchanged.
/// </summary>
public sealed class TextGuard : JsonConverter<string>
{
    public const string MessagePrefix = "Text may";
    public const int MaxLength = 20_000;

    /// <summary>Why text that <see cref="IsStorable"/> refuses is refused, in the words every input path uses.</summary>
    public const string Unstorable = $"{MessagePrefix} not contain NUL, control characters or broken Unicode.";

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("Expected a string.");
        return Checked(reader.GetString()!);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);

    public static bool IsStorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\t' or '\n' or '\r') continue;
            if (char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return false;
        }
        return true;
    }

    static string Checked(string value) =>
        value.Length > MaxLength ? throw new JsonException($"{MessagePrefix} be at most {MaxLength} characters long.")
        : IsStorable(value) ? value
        : throw new JsonException(Unstorable);
}
