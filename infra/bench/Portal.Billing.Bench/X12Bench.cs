using System.Diagnostics;
using System.Globalization;
using System.Text;
using Portal.Billing.X12;

// 837P writer and 999/277CA readers (issue 11 targets: writer > 50,000 claims/s of 4 lines; read a 999/277CA for
// 10,000 claims < 2 s). CPU time from Process.TotalProcessorTime: the machine's two cores are shared with other builds.
//   dotnet run -c Release --project infra/bench/Portal.Billing.Bench -- x12 [claims]
static class X12Bench
{
    public static void Run(int count)
    {
        Console.WriteLine($"X12 bench: {Environment.ProcessorCount} CPUs, .NET {Environment.Version}, {count:N0} claims x 4 lines");
        var claims = Claims(count);
        var batch = new ClaimBatch(new TradingPartners("SUNRISE CODING AND BILLING", "SUNRISEBILL", "CLAIMS DESK", "5555550100", "CLEARHOUSE ONE", "CLEARHOUSE01"),
            new ControlNumbers(1, 1), DateTimeOffset.UtcNow, "BENCH", claims);
        var counter = new CountingStream();
        Edi837Writer.Write(batch with { Claims = claims.Take(2000).ToList() }, Stream.Null);
        for (var round = 1; round <= 5; round++)
        {
            counter.Length0 = 0;
            var (wall, cpu) = Measure(() => Edi837Writer.Write(batch, counter));
            Console.WriteLine($"write 837P, round {round}: {wall.TotalSeconds:F3} s wall, {cpu.TotalSeconds:F3} s CPU, {counter.Length0 / 1e6:F1} MB, " +
                $"{count / cpu.TotalSeconds:N0} claims/s of CPU ({cpu.TotalMilliseconds * 1000 / count:F2} µs CPU per claim), {count / wall.TotalSeconds:N0} claims/s wall");
        }
        var ack277 = Synthetic277(count);
        var ack999 = Synthetic999(count);
        Ack277Reader.Read(new StringReader(Synthetic277(100)));
        Ack999Reader.Read(new StringReader(Synthetic999(100)));
        for (var round = 1; round <= 3; round++)
        {
            var (w1, c1) = Measure(() => Ack277Reader.Read(new StringReader(ack277)));
            var (w2, c2) = Measure(() => Ack999Reader.Read(new StringReader(ack999)));
            Console.WriteLine($"read 277CA ({ack277.Length / 1e6:F1} MB, {count:N0} claims), round {round}: {w1.TotalSeconds:F3} s wall, {c1.TotalSeconds:F3} s CPU; " +
                $"read 999 ({ack999.Length / 1e6:F1} MB, {count:N0} sets): {w2.TotalSeconds:F3} s wall, {c2.TotalSeconds:F3} s CPU");
        }
    }

    static (TimeSpan Wall, TimeSpan Cpu) Measure(Action action)
    {
        var p = Process.GetCurrentProcess();
        var cpu = p.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        action();
        wall.Stop();
        p.Refresh();
        return (wall.Elapsed, p.TotalProcessorTime - cpu);
    }

    sealed class CountingStream : Stream
    {
        public long Length0;
        public override void Write(byte[] buffer, int offset, int count) => Length0 += count;
        public override void Write(ReadOnlySpan<byte> buffer) => Length0 += buffer.Length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Length0;
        public override long Position { get => Length0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) { }
    }

    static List<Claim> Claims(int count)
    {
        var providers = Enumerable.Range(0, 20).Select(i => new BillingProvider(new PartyName($"GROUP {i} PC"), "1987654328", "991234567", "193200000X",
            new Address($"{i} MAIN STREET", "SPRINGFIELD", "IL", "627011234"))).ToArray();
        var dos = new DateOnly(2026, 1, 15);
        var list = new List<Claim>(count);
        for (var i = 0; i < count; i++)
        {
            var subscriber = new Subscriber(new Person(new PartyName("DOE", $"JANE{i % 997}", "Q"), new Address("742 OAK AVENUE", "SPRINGFIELD", "IL", "62704"),
                new DateOnly(1958, 3, 14), "F"), $"XJK{i:D9}") { GroupNumber = "GRP55501", ClaimFilingIndicator = "12" };
            list.Add(new Claim(providers[i % providers.Length], subscriber, new ClaimPayer("ACME HEALTH PLAN", "99999"),
                $"PCN{i:D10}", "11", ["E119", "I10", "B078", "Z0000"],
            [
                new ServiceLine("99213", 150m, 1, dos, [1, 2]) { Modifiers = ["25"], LineId = $"L{i}A" },
                new ServiceLine("17110", 200.5m, 1, dos, [3]) { LineId = $"L{i}B" },
                new ServiceLine("36415", 12.25m, 1, dos, [1]) { LineId = $"L{i}C" },
                new ServiceLine("J1100", 30m, 10, dos, [4]) { LineId = $"L{i}D", Drug = new DrugIdentification("00999123456", 1, "ML") },
            ]) { Rendering = new ClaimProvider(new PartyName("RIVERA", "ANA"), "1555123458", "207Q00000X") });
        }
        return list;
    }

    static string Synthetic277(int claims)
    {
        var b = new StringBuilder("ISA*00*          *00*          *ZZ*CLEARHOUSE01   *ZZ*SUNRISEBILL    *250117*0900*^*00501*000000277*0*P*:~GS*HN*CLEARHOUSE01*SUNRISEBILL*20250117*0900*277*X*005010X214~");
        var n = 0;
        void Seg(string s) { b.Append(s).Append('~'); n++; }
        Seg("ST*277*0001*005010X214"); Seg("BHT*0085*08*277CA0001*20250117*0900*TH");
        Seg("HL*1**20*1"); Seg("NM1*PR*2*ACME HEALTH PLAN*****PI*99999"); Seg("TRN*1*277CA0001");
        Seg("HL*2*1*21*1"); Seg("NM1*41*2*SUNRISE*****46*SUNRISEBILL"); Seg("TRN*2*BATCH1"); Seg("STC*A1:19:PR*20250117*WQ*1000");
        Seg("HL*3*2*19*1"); Seg("NM1*85*2*MAPLE MEDICAL GROUP PC*****XX*1987654328");
        for (var i = 0; i < claims; i++)
        {
            Seg($"HL*{4 + i}*3*PT"); Seg($"NM1*QC*1*DOE*JANE****MI*M{i:D9}"); Seg($"TRN*2*PCN{i:D10}");
            Seg(i % 10 == 9 ? "STC*A7:562:82*20250117*U*392.75" : "STC*A2:20:PR*20250117*WQ*392.75");
            if (i % 10 != 9) Seg($"REF*1K*PAYER{i:D10}");
            Seg("DTP*472*D8*20260115");
        }
        Seg($"SE*{n + 1}*0001");
        return b.Append("GE*1*277~IEA*1*000000277~").ToString();
    }

    static string Synthetic999(int sets)
    {
        var b = new StringBuilder("ISA*00*          *00*          *ZZ*CLEARHOUSE01   *ZZ*SUNRISEBILL    *250116*1431*^*00501*000000901*0*P*:~GS*FA*CLEARHOUSE01*SUNRISEBILL*20250116*1431*901*X*005010X231A1~");
        var n = 0;
        void Seg(string s) { b.Append(s).Append('~'); n++; }
        Seg("ST*999*0001*005010X231A1"); Seg("AK1*HC*101*005010X222A1");
        for (var i = 0; i < sets; i++)
        {
            Seg($"AK2*837*{(i + 1).ToString(CultureInfo.InvariantCulture)}*005010X222A1");
            if (i % 10 == 9) { Seg("IK3*N4*12*2010AA*8"); Seg("IK4*2*156*7*ILL"); Seg("IK5*R*I5"); } else Seg("IK5*A");
        }
        Seg($"AK9*P*{sets}*{sets}*{sets - sets / 10}");
        Seg($"SE*{n + 1}*0001");
        return b.Append("GE*1*901~IEA*1*000000901~").ToString();
    }
}
