#!/usr/bin/env python3
"""Times the coding screen's live findings request (POST /practices/{id}/coding/charts/{enc}?handler=Findings, what htmx
sends 300 ms after the coder stops typing) against a running Portal with the demo data, signed in as the demo coder.

usage: infra/bench/findings.py http://127.0.0.1:5314 <web pid> [requests]
Prints latency percentiles, requests/s, and the CPU per request of the web process and of all PostgreSQL processes
(from /proc), as docs/benchmarks.md reports them."""
import http.cookiejar, os, re, subprocess, sys, time, urllib.parse, urllib.request

base, web_pid = sys.argv[1], int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 500
north = "0197a000-0000-7000-8000-000000000001"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
token = lambda html: re.search(r'name="__RequestVerificationToken" type="hidden" value="([^"]+)"', html).group(1)

page = opener.open(base + "/account/sign-in").read().decode()
opener.open(base + "/account/sign-in", urllib.parse.urlencode({"Email": "coder@north.example", "Password": "Portal-Demo-2026!",
    "ReturnUrl": "/", "__RequestVerificationToken": token(page)}).encode()).read()
queue = opener.open(f"{base}/practices/{north}/coding/queue").read().decode()
chart = re.search(r'/coding/charts/([0-9a-f-]{36})', queue).group(1)
url = f"{base}/practices/{north}/coding/charts/{chart}"
html = opener.open(url).read().decode()
version = re.search(r'name="Draft.Version" value="(\d+)"', html).group(1)
# A draft with findings on several edits: a header code, a manifestation, NCCI pair, MUE units, a line without a pointer.
form = urllib.parse.urlencode([("__RequestVerificationToken", token(html)), ("Draft.Version", version),
    ("Draft.Codes[0]", "F02.80"), ("Draft.Codes[1]", "G30.9"), ("Draft.Codes[2]", "E11"), ("Draft.Codes[3]", "I10"),
    ("Draft.Lines[0].Code", "99213"), ("Draft.Lines[0].Units", "1"), ("Draft.Lines[0].DiagnosisPointers[0]", "1"),
    ("Draft.Lines[1].Code", "93000"), ("Draft.Lines[1].Units", "1"), ("Draft.Lines[1].Charge", "40"),
    ("Draft.Lines[2].Code", "93010"), ("Draft.Lines[2].Units", "1"), ("Draft.Lines[2].Charge", "20"), ("Draft.Lines[2].DiagnosisPointers[0]", "4"),
    ("Draft.Lines[3].Code", "97110"), ("Draft.Lines[3].Units", "7"), ("Draft.Lines[3].Charge", "30"), ("Draft.Lines[3].DiagnosisPointers[0]", "4")]).encode()

def post():
    request = urllib.request.Request(url + "?handler=Findings", data=form, headers={"HX-Request": "true"})
    body = opener.open(request).read().decode()
    return body

def cpu_seconds():
    tick = os.sysconf("SC_CLK_TCK")
    def of(pid):
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    # Only this Portal's cluster: the postmaster listening on PORTAL_PG_PORT and its backends.
    port = os.environ.get("PORTAL_PG_PORT", "5432")
    master = subprocess.run(["pgrep", "-f", f"postgres -D .* -p {port} "], capture_output=True, text=True).stdout.split()
    pg = [int(m) for m in master] + [int(p) for m in master for p in subprocess.run(["pgrep", "-P", m], capture_output=True, text=True).stdout.split()]
    pg_total = 0.0
    for p in pg:
        try: pg_total += of(p)
        except OSError: pass
    return of(web_pid), pg_total

first = post()
rules = sorted(set(re.findall(r'data-rule="([^"]+)"', first)))
print(f"chart {chart}: {len(re.findall('data-rule=', first))} findings ({', '.join(rules)})")
for _ in range(50): post()                      # warm-up
web0, pg0 = cpu_seconds()
samples = []
start = time.perf_counter()
for _ in range(count):
    t = time.perf_counter(); post(); samples.append((time.perf_counter() - t) * 1000)
wall = time.perf_counter() - start
web1, pg1 = cpu_seconds()
samples.sort()
p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
print(f"{count} requests, 1 client: {count / wall:.0f}/s; p50 {p(0.5):.2f} ms, p95 {p(0.95):.2f} ms, p99 {p(0.99):.2f} ms, max {samples[-1]:.2f} ms")
print(f"CPU per request: web {(web1 - web0) / count * 1000:.2f} ms + PostgreSQL {(pg1 - pg0) / count * 1000:.2f} ms (this Portal's cluster)")
