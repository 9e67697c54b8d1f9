using Portal.Billing.CodeFiles;
using Portal.Billing.Remittance;

namespace Portal.Billing.Tests.Remittance;

/// <summary>
/// A cut or mangled 835 is read whole or refused with <see cref="RemittanceRejected"/> (a 422 in the web layer), never
/// another exception; a cut anywhere before the trailer is always refused (nothing half-read).
/// </summary>
public class MalformedRemittances
{
    [Theory]
    [InlineData("paid-denied-plb.835"), InlineData("reversal-correction.835"), InlineData("two-checks.835"), InlineData("separators-from-isa.835")]
    public void a_cut_or_mangled_file_is_read_whole_or_refused(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(GoldenCases.Root, "835", name));
        var end = Array.LastIndexOf(bytes, (byte)'~') > Array.LastIndexOf(bytes, (byte)'\\') ? Array.LastIndexOf(bytes, (byte)'~') : Array.LastIndexOf(bytes, (byte)'\\');
        for (var cut = 0; cut < end; cut++)
            Assert.Throws<RemittanceRejected>(() => EraReader.Read(TextLines.Open(new MemoryStream(bytes[..cut]))));

        var rng = new Random(name.Length);
        byte[] noise = [(byte)'*', (byte)'~', (byte)':', (byte)'A', (byte)'9', (byte)'-', (byte)'.', 0xFF, (byte)'\n', (byte)'\\', (byte)'|'];
        for (var i = 0; i < 1500; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (var k = rng.Next(1, 4); k > 0; k--) copy[rng.Next(copy.Length)] = noise[rng.Next(noise.Length)];
            try
            {
                var era = EraReader.Read(TextLines.Open(new MemoryStream(copy)));
                Balancing.Check(era);
            }
            catch (RemittanceRejected) { }
        }
    }
}
