using System.Globalization;
using System.Text;
using System.Xml;
using Portal.Billing.CodeFiles;
using Portal.Billing.Scrubbing;

/// <summary>Synthetic files in the official layouts (no CMS or AMA data) and claims over them. Deterministic.</summary>
static class Synthetic
{
    // Column 1 codes 10000–29999 (20,000), each with 100 column 2 codes: 2,000,000 pairs at the default size.
    const int Column1Count = 20_000;

    public static void WritePtp(string path, int pairs)
    {
        var perColumn1 = Math.Max(1, pairs / Column1Count);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\r\n" };
        w.WriteLine("SYNTHETIC practitioner PTP edits generated for Portal benchmarks (not CMS data).");
        w.WriteLine("CPT codes and descriptions only are copyright American Medical Association.");
        w.WriteLine();
        w.WriteLine("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale");
        string[] rationales = ["Standards of medical / surgical practice", "Mutually exclusive procedures", "Misuse of column two code with column one code", "CPT Manual or CMS manual coding instruction"];
        var written = 0;
        for (var i = 0; i < Column1Count && written < pairs; i++)
        {
            var c1 = 10000 + i;
            for (var k = 0; k < perColumn1 && written < pairs; k++, written++)
            {
                var c2 = 30000 + (int)((uint)(i * 7919 + k * 104729) % 60000);
                var indicator = (i + k) % 10 == 0 ? 0 : (i + k) % 25 == 0 ? 9 : 1;
                var deleted = (i + k) % 50 == 0 ? "20250101" : "*";
                w.Write(c1.ToString(CultureInfo.InvariantCulture)); w.Write('\t');
                w.Write(c2.ToString("00000", CultureInfo.InvariantCulture)); w.Write('\t');
                w.Write(k % 3 == 0 ? "*" : ""); w.Write('\t');
                w.Write(k % 3 == 0 ? "19960101" : "20200101"); w.Write('\t');
                w.Write(deleted); w.Write('\t');
                w.Write(indicator.ToString(CultureInfo.InvariantCulture)); w.Write('\t');
                w.WriteLine(rationales[(i + k) % rationales.Length]);
            }
        }
    }

    public static IEnumerable<CodeRecord> CptCodes()
    {
        var order = 0;
        for (var c = 10000; c < 90000; c++)
        {
            var code = c.ToString(CultureInfo.InvariantCulture);
            yield return new CodeRecord(code, true, "Synthetic procedure", "Synthetic procedure " + code, ++order, Flags: c % 7 == 0 ? "pctc" : "");
        }
    }

    public static IEnumerable<MueRecord> Mue()
    {
        for (var c = 10000; c < 90000; c += 3)
            yield return new MueRecord(c.ToString(CultureInfo.InvariantCulture), 1 + c % 4, (byte)(1 + c % 3), "synthetic", "synthetic");
    }

    static readonly string[] Sites = "head neck chest abdomen pelvis shoulder elbow wrist hand hip knee ankle foot spine lung heart kidney liver colon skin eye ear".Split(' ');
    static readonly string[] Conditions = "fracture sprain contusion laceration infection inflammation neoplasm ulcer stenosis hemorrhage obstruction deformity".Split(' ');

    /// <summary>98,400 codes: 2,400 categories of 1 header + 5 subcategory headers + 35 billable codes; S and T categories take a 7th character.</summary>
    public static void WriteIcd(string orderPath, string tabularPath)
    {
        using var order = new StreamWriter(orderPath, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\r\n" };
        using var xml = XmlWriter.Create(tabularPath, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        var n = 0;
        void Order(string code, bool billable, string desc) =>
            order.WriteLine($"{++n:00000} {code,-7} {(billable ? 1 : 0)} {(desc.Length > 60 ? desc[..60] : desc),-60} {desc}");
        xml.WriteStartElement("ICD10CM.tabular");
        xml.WriteElementString("version", "2099");
        const string letters = "ABCDEFGHIJKLMNOPQRSTVWXY"; // 24 x 100 categories x 41 lines = 98,400: order numbers stay within 5 digits
        var rng = new Random(2027);
        foreach (var letter in letters)
        {
            xml.WriteStartElement("chapter");
            xml.WriteElementString("name", letter.ToString());
            xml.WriteElementString("desc", $"Synthetic chapter {letter} ({letter}00-{letter}99)");
            for (var section = 0; section < 10; section++)
            {
                xml.WriteStartElement("section");
                xml.WriteAttributeString("id", $"{letter}{section}0-{letter}{section}9");
                xml.WriteElementString("desc", $"Synthetic section ({letter}{section}0-{letter}{section}9)");
                for (var cat = section * 10; cat < section * 10 + 10; cat++)
                {
                    var c3 = $"{letter}{cat:00}";
                    var seventh = letter is 'S' or 'T';
                    var words = $"{Conditions[rng.Next(Conditions.Length)]} of {Sites[rng.Next(Sites.Length)]}";
                    Order(c3, false, $"Synthetic {words}");
                    xml.WriteStartElement("diag");
                    xml.WriteElementString("name", c3);
                    xml.WriteElementString("desc", $"Synthetic {words}");
                    if (cat % 20 == 0)
                    {
                        xml.WriteStartElement("excludes1");
                        xml.WriteElementString("note", $"synthetic related condition ({letter}{(cat + 1) % 100:00}.-)");
                        xml.WriteEndElement();
                    }
                    if (cat % 50 == 7)
                    {
                        xml.WriteStartElement("codeFirst");
                        xml.WriteElementString("note", $"underlying condition ({letter}{(cat + 2) % 100:00}.-)");
                        xml.WriteEndElement();
                    }
                    if (seventh)
                    {
                        xml.WriteStartElement("sevenChrDef");
                        foreach (var (ch, text) in new[] { ("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela") })
                        {
                            xml.WriteStartElement("extension");
                            xml.WriteAttributeString("char", ch);
                            xml.WriteString(text);
                            xml.WriteEndElement();
                        }
                        xml.WriteEndElement();
                    }
                    for (var sub = 0; sub < 5; sub++)
                    {
                        var c4 = c3 + sub;
                        Order(c4, false, $"Synthetic {words}, type {sub}");
                        xml.WriteStartElement("diag");
                        xml.WriteElementString("name", $"{c3}.{sub}");
                        xml.WriteElementString("desc", $"Synthetic {words}, type {sub}");
                        for (var leaf = 0; leaf < 7; leaf++)
                        {
                            var code = seventh ? $"{c4}{leaf}X{"ADS"[leaf % 3]}" : $"{c4}{leaf}";
                            var desc = $"Synthetic {words}, type {sub}, variant {leaf}";
                            Order(code, true, desc);
                            xml.WriteStartElement("diag");
                            xml.WriteElementString("name", $"{c3}.{code[3..]}");
                            xml.WriteElementString("desc", desc);
                            xml.WriteEndElement();
                        }
                        xml.WriteEndElement();
                    }
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    /// <summary>Claims of 4 lines drawn from the PTP codes (so pairs hit), 2–3 diagnoses; two claims per patient-day, so cross-claim checks run.</summary>
    public static List<Claim> Claims(int count, string[] icd)
    {
        var rng = new Random(42);
        var claims = new List<Claim>(count);
        string[] mods = ["", "", "", "25", "59", "XU", "LT"];
        for (var i = 0; i < count; i++)
        {
            var c1 = 10000 + rng.Next(Column1Count);
            var lines = new List<ServiceLine>();
            for (var l = 0; l < 4; l++)
            {
                var code = l == 0 ? c1 : l == 1 ? 30000 + (int)((uint)((c1 - 10000) * 7919 + rng.Next(100) * 104729) % 60000) : 10000 + rng.Next(80000);
                var m = mods[rng.Next(mods.Length)];
                lines.Add(new ServiceLine
                {
                    Code = code.ToString("00000", CultureInfo.InvariantCulture), Modifiers = m.Length == 0 ? null : [m],
                    Units = 1 + rng.Next(2), Charge = 50 + rng.Next(200), Pointers = [1, 2],
                });
            }
            claims.Add(new Claim
            {
                Id = $"CLM-{i}", Patient = new Patient { Id = $"PAT-{i / 2}", DateOfBirth = new DateOnly(1950 + rng.Next(60), 1 + rng.Next(12), 1 + rng.Next(28)), Sex = rng.Next(2) == 0 ? "F" : "M" },
                Payer = new Payer { Id = "ACME", TimelyFilingDays = 180 }, Coverage = new Coverage { EffectiveFrom = new DateOnly(2025, 1, 1) },
                BillingProvider = new Provider { Npi = "1987654328", Taxonomy = "193200000X" }, RenderingProvider = new Provider { Npi = "1555123458", Taxonomy = "207Q00000X" },
                DateOfService = new DateOnly(2026, 1, 5 + i / 2 % 20), FrequencyCode = "1", PlaceOfService = "11",
                Diagnoses = [icd[rng.Next(icd.Length)], icd[rng.Next(icd.Length)], icd[rng.Next(icd.Length)]],
                Lines = lines,
            });
        }
        return claims;
    }
}
