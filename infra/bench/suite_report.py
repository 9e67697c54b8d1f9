#!/usr/bin/env python3
"""Summarises xUnit v3 XML reports (dotnet test --report-xunit): where the suite's time goes.
   infra/bench/suite_report.py <folder or .xunit files> [--top N]
Per assembly: wall time and the sum of test times; per namespace and per class: sum of test times and share;
the N slowest tests; and the time between one test's end and the next one's start (fixtures, class set-up)."""
import sys, glob, os, re, collections
import xml.etree.ElementTree as ET
from datetime import datetime

def when(s):
    s = re.sub(r'(\.\d{6})\d*', r'\1', s)
    return datetime.fromisoformat(s)

argv = sys.argv[1:]
top = 25
if '--top' in argv:
    i = argv.index('--top'); top = int(argv[i + 1]); del argv[i:i + 2]
args = argv
files = []
for a in args or ['.']:
    files += glob.glob(os.path.join(a, '*.xunit')) + glob.glob(os.path.join(a, '*.xml')) if os.path.isdir(a) else [a]
for f in files:
    root = ET.parse(f).getroot()
    for asm in root.iter('assembly'):
        tests = []
        for t in asm.iter('test'):
            if t.get('time') is None: continue
            tests.append((t.get('type'), t.get('name'), float(t.get('time')), when(t.get('start-rtf')), when(t.get('finish-rtf')), t.get('result')))
        if not tests: continue
        name = os.path.basename(asm.get('name'))
        total = sum(t[2] for t in tests)
        wall = (max(t[4] for t in tests) - min(t[3] for t in tests)).total_seconds()
        print(f"== {name}: {len(tests)} tests, wall {wall:.0f} s (first start to last end), sum of test times {total:.0f} s, "
              f"{asm.get('environment')}")
        fails = [t for t in tests if t[5] not in ('Pass', 'Skip')]
        for t in fails: print(f"   {t[5]}: {t[1]}")
        ordered = sorted(tests, key=lambda t: t[3])
        gaps = sum(max(0, (b[3] - a[4]).total_seconds()) for a, b in zip(ordered, ordered[1:]))
        print(f"   between tests (fixtures, class set-up, runner): {gaps:.0f} s")
        ns = collections.Counter(); cls = collections.Counter(); count = collections.Counter()
        for t in tests:
            parts = t[0].split('.')
            ns['.'.join(parts[:3])] += t[2]; cls[t[0]] += t[2]; count[t[0]] += 1
        print("   by namespace:")
        for k, v in ns.most_common(): print(f"     {v:8.1f} s {100*v/total:5.1f}%  {k}")
        print(f"   top {top} classes:")
        for k, v in cls.most_common(top): print(f"     {v:8.1f} s {100*v/total:5.1f}%  {k} ({count[k]} tests, {v/count[k]:.2f} s each)")
        print(f"   top {top} tests:")
        for t in sorted(tests, key=lambda t: -t[2])[:top]: print(f"     {t[2]:8.1f} s  {t[1]}")
        quick = [t[2] for t in tests]
        quick.sort()
        print(f"   median test {quick[len(quick)//2]:.2f} s; tests under 1 s: {sum(1 for q in quick if q < 1)} taking {sum(q for q in quick if q < 1):.0f} s")
