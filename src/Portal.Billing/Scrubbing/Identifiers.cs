namespace Portal.Billing.Scrubbing;

public static class Identifiers
{
    /// <summary>
    /// NPI check digit: Luhn over the 10 digits as if the prefix 80840 (80 health, 840 USA) preceded them (CMS
    /// NPIcheckdigit.pdf). A valid checksum is not an enrolled provider; NPPES says that.
    /// </summary>
    public static bool IsValidNpi(string? npi)
    {
        if (npi is not { Length: 10 } || !npi.All(char.IsAsciiDigit)) return false;
        var sum = 24; // the prefix 80840 contributes 24 once its digits are doubled in Luhn position
        for (var i = 0; i < 10; i++)
        {
            var d = npi[9 - i] - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /// <summary>NUCC taxonomy: 10 characters, letters and digits, ending in X (207Q00000X, 363LF0000X).</summary>
    public static bool IsValidTaxonomy(string? taxonomy) =>
        taxonomy is { Length: 10 } && taxonomy[9] == 'X' && taxonomy.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))
        && char.IsAsciiDigit(taxonomy[0]);
}
