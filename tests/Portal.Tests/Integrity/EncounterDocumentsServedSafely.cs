using System.Text;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Features.Demo;
using Portal.Web.Features.Intake;
using static Portal.Tests.Intake.Given;

namespace Portal.Tests.Integrity;

/// <summary>
/// Encounter documents: the type comes from the content (an allow-list), the client's file name is only a cleaned display name,
/// downloads are attachments that are never sniffed or cached; too large is 413, a wrong type 415.
/// </summary>
public class EncounterDocumentsServedSafely(PortalApp app) : PortalTest(app)
{
    static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8];
    static readonly byte[] JpegBytes = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, .. "JFIF"u8];
    static readonly byte[] TiffBytes = [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0];
    static readonly byte[] TextBytes = "Referral: knee pain for 3 weeks.\r\nPlease evaluate.\n"u8.ToArray();

    static string Documents(Guid encounterId) => North($"encounters/{encounterId}/documents");

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("tiff", "image/tiff")]
    [InlineData("text", "text/plain")]
    [InlineData("pdf", "application/pdf")]
    public async Task an_allowed_type_is_recognised_by_its_content_whatever_the_client_claims(string kind, string expected)
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var bytes = kind switch { "png" => PngBytes, "jpeg" => JpegBytes, "tiff" => TiffBytes, "text" => TextBytes, _ => Pdf };

        var document = await Created<DocumentSummary>(await biller.PostAsync(Documents(encounter.Id), File(bytes, "upload", "application/x-msdownload")));

        Assert.Equal(expected, document.ContentType);
        var download = await biller.GetAsync($"{Documents(encounter.Id)}/{document.Id}");
        Assert.Equal(expected, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task a_download_is_an_attachment_never_sniffed_nor_cached_under_a_cleaned_name_on_the_api_and_the_page()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var document = await Created<DocumentSummary>(await biller.PostAsync(Documents(encounter.Id),
            File(Pdf, "..\\..\\etc/pass<wd>|.html", "text/html")));

        Assert.Equal("passwd.html.pdf", document.FileName);
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        foreach (var download in new[]
                 {
                     await biller.GetAsync($"{Documents(encounter.Id)}/{document.Id}"),
                     await browser.GetAsync($"/practices/{DemoData.NorthClinic}/encounters/{encounter.Id}?handler=Document&documentId={document.Id}"),
                 })
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("passwd.html.pdf", download.Content.Headers.ContentDisposition?.FileNameStar);
            Assert.Equal("nosniff", string.Join("", download.Headers.GetValues("X-Content-Type-Options")));
            Assert.True(download.Headers.CacheControl?.NoStore);
            Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("exe")]
    [InlineData("html")]
    [InlineData("svg")]
    public async Task a_type_outside_the_allow_list_is_415_even_named_and_labelled_as_a_pdf(string kind)
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        byte[] bytes = kind switch
        {
            "zip" => [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0],
            "exe" => [0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0],
            "html" => "\n <html><script>alert(document.cookie)</script></html>"u8.ToArray(),
            _ => "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"u8.ToArray(),
        };

        var response = await biller.PostAsync(Documents(encounter.Id), File(bytes, "scan.pdf", "application/pdf"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PDF", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Empty((await biller.GetFromJsonAsync<EncounterDetails>(North($"encounters/{encounter.Id}")))!.Documents);
    }

    [Fact]
    public async Task a_document_over_the_limit_is_413_and_one_at_the_limit_is_kept()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var atLimit = new byte[DocumentOptions.DefaultMaxBytes];
        Pdf.CopyTo(atLimit, 0);
        var overLimit = new byte[DocumentOptions.DefaultMaxBytes + 1];
        Pdf.CopyTo(overLimit, 0);

        var over = await biller.PostAsync(Documents(encounter.Id), File(overLimit, "big.pdf"));
        var at = await biller.PostAsync(Documents(encounter.Id), File(atLimit, "big.pdf"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("application/problem+json", over.Content.Headers.ContentType?.MediaType);
        Assert.Contains("20 MB", (await over.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.Created, at.StatusCode);
    }

    [Fact]
    public async Task the_encounter_page_says_why_a_wrong_type_is_refused()
    {
        var biller = await App.ClientFor(Users.NorthBiller);
        var encounter = await OpenedEncounter(biller);
        var browser = await App.SignedInBrowser(Users.NorthBiller);
        var page = $"/practices/{DemoData.NorthClinic}/encounters/{encounter.Id}";
        var form = File([0x50, 0x4B, 0x03, 0x04], "scan.pdf", "application/pdf");
        form.Add(new StringContent(PortalApp.AntiforgeryToken(await browser.GetStringAsync(page))), "__RequestVerificationToken");

        var response = await browser.PostAsync($"{page}?handler=Document", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This type of document is not accepted.", await response.Content.ReadAsStringAsync());
        Assert.Empty((await biller.GetFromJsonAsync<EncounterDetails>(North($"encounters/{encounter.Id}")))!.Documents);
    }
}
