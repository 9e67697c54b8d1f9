using System.Diagnostics;
using System.Globalization;
using Portal.Billing.CodeFiles;
using Portal.Billing.Codes;
using Portal.Billing.Scrubbing;

// Stopwatch harness for the Portal.Billing targets (issue 10, docs/benchmarks.md "Billing core"). Generates synthetic
// files in the official layouts under a work directory, then measures: NCCI PTP load (~2 M pairs), scrubbing 10,000
// claims of 4 lines, and reading a full-size ICD-10-CM order file + Tabular XML. Wall time and CPU time
// (Process.TotalProcessorTime) per step; resident memory from /proc/self/status.
//   dotnet run -c Release --project infra/bench/Portal.Billing.Bench -- [workdir] [ptpPairs] [claims]

if (args is ["era", ..])
{
    Portal.Billing.Bench.EraBench.Run(args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "portal-era-bench"),
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5_000);
    return;
}

if (args.Length > 0 && args[0] == "x12")
{
    X12Bench.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    return;
}

var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "portal-billing-bench");
var pairs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;
var claimCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
Directory.CreateDirectory(work);
var ptpPath = Path.Combine(work, $"ptp-{pairs}.txt");
var orderPath = Path.Combine(work, "icd10cm_order_bench.txt");
var tabularPath = Path.Combine(work, "icd10cm_tabular_bench.xml");

Console.WriteLine($"Portal.Billing bench: {Environment.ProcessorCount} CPUs, .NET {Environment.Version}, GC server={System.Runtime.GCSettings.IsServerGC}");
if (!File.Exists(ptpPath)) Measure("generate PTP file (not a target)", () => Synthetic.WritePtp(ptpPath, pairs));
if (!File.Exists(orderPath) || !File.Exists(tabularPath)) Measure("generate ICD-10-CM files (not a target)", () => Synthetic.WriteIcd(orderPath, tabularPath));
Console.WriteLine($"files: PTP {new FileInfo(ptpPath).Length / 1e6:F1} MB, order {new FileInfo(orderPath).Length / 1e6:F1} MB, tabular {new FileInfo(tabularPath).Length / 1e6:F1} MB");
Settle();
if (Environment.GetEnvironmentVariable("BENCH_PTP_PARTS") == "1")
{
    // Where the PTP load time goes: lines only, records without the table, then the whole load below.
    Measure("  part: lines only", () => { using var r = TextLines.Open(File.OpenRead(ptpPath)); foreach (var _ in TextLines.Read(r)) { } });
    Measure("  part: records (no table)", () => { using var r = TextLines.Open(File.OpenRead(ptpPath)); foreach (var _ in NcciPtpFile.Read(r)) { } });
}
var rssBefore = Rss("VmRSS");

PtpTable ptp = null!;
Measure($"load NCCI PTP ({pairs:N0} pairs: read + validate + index)", () =>
{
    using var reader = TextLines.Open(File.OpenRead(ptpPath));
    ptp = PtpTable.From(NcciPtpFile.Read(reader), pairs + 1024);
});
Settle();
Console.WriteLine($"  PTP rows {ptp.Count:N0}; resident after load {Rss("VmRSS") / 1e6:F0} MB (before {rssBefore / 1e6:F0} MB, peak so far {Rss("VmHWM") / 1e6:F0} MB); managed heap {GC.GetTotalMemory(true) / 1e6:F0} MB");

List<CodeRecord> order = null!;
List<TabularEntry> tabular = null!;
IcdTabular facts = null!;
Measure("read ICD-10-CM order file (full size)", () =>
{
    using var reader = TextLines.Open(File.OpenRead(orderPath));
    order = Icd10CmOrderFile.Read(reader).ToList();
});
Measure("read ICD-10-CM Tabular XML (full size) + index notes", () =>
{
    using var reader = TextLines.Open(File.OpenRead(tabularPath));
    tabular = Icd10CmTabularFile.Read(reader).ToList();
    facts = new IcdTabular(tabular);
});
Console.WriteLine($"  order file {order.Count:N0} codes ({order.Count(c => c.Billable):N0} billable); Tabular {tabular.Count:N0} entries, {facts.Excludes1Pairs.Count:N0} Excludes1 pairs, {facts.SeventhCharacterRules.Count:N0} 7th-character rules");

var release = (string s, string v) => new Release(s, v, new DateOnly(2026, 1, 1));
var data = new InMemoryReferenceData()
    .AddCodes(new Release(CodeSystems.Icd10Cm, "2026", new DateOnly(2025, 10, 1)), order)
    .AddTabular(new Release(CodeSystems.Icd10Cm, "2026", new DateOnly(2025, 10, 1)), tabular)
    .AddCodes(release(CodeSystems.Cpt, "2026"), Synthetic.CptCodes())
    .AddCodes(release(CodeSystems.Modifier, "2026"), new[] { "25", "59", "XU", "LT", "RT", "26", "TC", "91" }.Select((m, i) => new CodeRecord(m, true, m, m, i)))
    .AddCodes(release(CodeSystems.Pos, "2026"), new[] { "11", "22", "02" }.Select((m, i) => new CodeRecord(m, true, m, m, i)))
    .AddPtp(release("ncci", "2026Q1"), ptp)
    .AddMue(release("mue", "2026Q1"), Synthetic.Mue());
var claims = Synthetic.Claims(claimCount, order.Where(c => c.Billable).Select(c => c.Code).ToArray());
var onFile = new ClaimsOnFile(claims);
var context = new ScrubContext(new DateOnly(2026, 2, 1), onFile);
var findings = 0;
Measure("warm-up scrub (JIT, not a target)", () => { foreach (var c in claims.Take(2000)) Scrubber.Scrub(c, data, context); });
for (var round = 1; round <= 3; round++)
{
    Measure($"scrub {claims.Count:N0} claims x 4 lines, one thread (round {round})", () => { findings = 0; foreach (var c in claims) findings += Scrubber.Scrub(c, data, context).Count; }, claims.Count);
    Measure($"scrub {claims.Count:N0} claims x 4 lines, Parallel.ForEach (round {round})", () => Parallel.ForEach(claims, c => Scrubber.Scrub(c, data, context)), claims.Count);
}
Console.WriteLine($"  {findings:N0} findings over {claims.Count:N0} claims (claims on file: the same {claims.Count:N0}); peak resident {Rss("VmHWM") / 1e6:F0} MB");

static void Measure(string what, Action action, int operations = 0)
{
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    action();
    wall.Stop();
    process.Refresh();
    var used = process.TotalProcessorTime - cpu;
    var per = operations > 0 ? $", {used.TotalMilliseconds * 1000 / operations:F1} µs CPU per claim" : "";
    Console.WriteLine($"{what}: {wall.Elapsed.TotalSeconds:F2} s wall, {used.TotalSeconds:F2} s CPU{per}");
}

static void Settle()
{
    GC.Collect(2, GCCollectionMode.Forced, true, true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, true, true);
}

static long Rss(string field)
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith(field + ":", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return 0;
}
