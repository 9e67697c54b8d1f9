#!/usr/bin/env python3
"""Share of the test time spent in browser tests (issue 14, item 13).

Run the suite with an xUnit XML report, then this script:
    cd tests/Portal.Tests && PORTAL_PG_PORT=... dotnet run -- -xml /tmp/results.xml
    python3 infra/bench/browser_share.py /tmp/results.xml
Browser tests are the classes deriving from BrowserTest (found in the sources). Prints the total, the browser share and the
slowest browser classes. Record `uptime` with any figure: on a loaded machine the figures are not the product's.
"""
import pathlib, re, sys, xml.etree.ElementTree as ET
from collections import defaultdict

root = pathlib.Path(__file__).resolve().parents[2] / "tests" / "Portal.Tests"
browser = set()
for f in root.rglob("*.cs"):
    if "/bin/" in str(f) or "/obj/" in str(f):
        continue
    browser.update(re.findall(r"class\s+(\w+)\s*\([^)]*\)\s*:\s*BrowserTest\(", f.read_text(encoding="utf-8")))

tree = ET.parse(sys.argv[1])
per_class = defaultdict(float)
total = 0.0
for test in tree.iter("test"):
    seconds = float(test.get("time", "0"))
    cls = test.get("type", "").rsplit(".", 1)[-1]
    total += seconds
    per_class[cls] += seconds
in_browser = sum(t for c, t in per_class.items() if c in browser)
assembly = next(tree.iter("assembly"), None)
print(f"tests: {sum(1 for _ in tree.iter('test'))}, sum of test times: {total:.0f} s"
      + (f", assembly wall time: {float(assembly.get('time', '0')):.0f} s" if assembly is not None else ""))
print(f"browser tests ({len(browser)} classes): {in_browser:.0f} s = {100 * in_browser / max(total, 1):.0f}% of the test time")
for cls, t in sorted(((c, t) for c, t in per_class.items() if c in browser), key=lambda x: -x[1])[:10]:
    print(f"  {cls}: {t:.0f} s")
