using System.Text.Json;
using Portal.Billing.Remittance;
using Portal.Billing.Scrubbing;

namespace Portal.Billing.Tests.Remittance;

/// <summary>
/// cases/835/*.835 beside .expected.json: read, balance and post each file. Expected = the refusal (segment, position,
/// reason), or the imbalances, or the file read plus its posting (candidates: one claim per CLP01 except those named
/// UNMATCHED-…). PORTAL_GOLDEN_ACCEPT=1 rewrites the expected files.
/// </summary>
public class RemittanceCases
{
    static readonly string Folder = Path.Combine(GoldenCases.Root, "835");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Folder, "*.835").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    public static Era Read(string name)
    {
        using var text = Portal.Billing.CodeFiles.TextLines.Open(File.OpenRead(Path.Combine(Folder, name)));
        return EraReader.Read(text);
    }

    public static IReadOnlyList<ClaimCandidate> CandidatesFor(Era era) =>
        era.Payments.SelectMany(p => p.Claims).Where(c => !c.PatientControlNumber.StartsWith("UNMATCHED", StringComparison.Ordinal))
            .GroupBy(c => c.PatientControlNumber)
            .Select(g => new ClaimCandidate("claim-" + g.Key, "patient-" + g.Key, g.Key, null, Math.Abs(g.First().Charge), null)).ToList();

    [Theory]
    [MemberData(nameof(Cases))]
    public void file_reads_balances_and_posts_as_expected(string name)
    {
        object actual;
        try
        {
            var era = Read(name);
            var imbalances = Balancing.Check(era);
            if (imbalances.Any(i => i.Refuses)) actual = new { refused = "unbalanced", imbalances };
            else
            {
                var hash = RemittanceKeys.FileHash(File.ReadAllBytes(Path.Combine(Folder, name)));
                var posting = Posting.Post(era, hash, CandidatesFor(era), DenialRules.Default());
                actual = new
                {
                    era,
                    flags = imbalances,
                    posting = new
                    {
                        posting.CheckKeys,
                        claims = posting.Claims,
                        unmatched = posting.Unmatched.Select(u => new { u.Remit.PatientControlNumber, u.Problem }),
                        posting.ProviderAdjustments,
                    },
                };
            }
        }
        catch (RemittanceRejected e) { actual = new { refused = "unreadable", segment = e.Segment, position = e.Position, reason = e.Reason }; }

        var json = JsonSerializer.Serialize(actual, ClaimJson.Options).ReplaceLineEndings("\n") + "\n";
        var expectedPath = Path.Combine(Folder, Path.GetFileNameWithoutExtension(name) + ".expected.json");
        if (Environment.GetEnvironmentVariable("PORTAL_GOLDEN_ACCEPT") == "1") File.WriteAllText(expectedPath, json);
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing (run with PORTAL_GOLDEN_ACCEPT=1 and review it).");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), json);
    }
}
