using Portal.Web.Platform;
using System.Globalization;
using System.Text;
using Marten;
using Npgsql;

namespace Portal.Web.Features.Payments;

public class DashboardModel(TenantDatabases databases, TimeProvider clock) : PaymentsPageModel
{
    public KpiReport Kpi { get; private set; } = default!;
    public DateOnly From { get; private set; }
    public DateOnly To { get; private set; }

    public async Task OnGetAsync(DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        To = to ?? PaymentEndpoints.Today(clock);
        From = from is { } f && f <= To ? f : To.AddDays(-89);
        Kpi = await PaymentQueries.Kpi(databases.For(Practice.PracticeId), Practice.PracticeId, From, To, ct);
    }

    /// <summary>A bar chart drawn on the server as SVG (no script): one labelled bar per value, its amount above it.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, decimal Value)> bars, string color = "#2f6fb0")
    {
        const int width = 520, height = 200, top = 24, bottom = 28;
        var max = bars.Count == 0 ? 0 : bars.Max(b => b.Value);
        var step = bars.Count == 0 ? width : width / bars.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"{Enc(title)}\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Enc(title)}</title>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var h = max <= 0 ? 0 : (double)(Math.Max(value, 0) / max) * (height - top - bottom);
            var x = i * step + step * 0.15;
            var y = height - bottom - h;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{step * 0.7:0.#}\" height=\"{h:0.#}\" fill=\"{color}\"><title>{Enc(label)}: {value:#,##0.00}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + step * 0.35:0.#}\" y=\"{y - 4:0.#}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#222\">{value:#,##0}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + step * 0.35:0.#}\" y=\"{height - 10}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#222\">{Enc(label)}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" y1=\"{height - bottom}\" x2=\"{width}\" y2=\"{height - bottom}\" stroke=\"#555\" /></svg>");
        return sb.ToString();
    }

    static string Enc(string s) => System.Net.WebUtility.HtmlEncode(s);
}
