// node parse.js <file.835> [rounds]: CPU and wall time of node-x12 1.7.1's X12Parser.parse on the file, warm: one warm-up
// parse, then `rounds` (default 5) timed parses; prints each round and the median. The same file as
// `dotnet run -c Release --project infra/bench/Portal.Billing.Bench -- era /tmp/era-bench 5000` (docs/benchmarks.md).
// node-x12 comes from this folder's node_modules (npm install) or, if absent, from tests/Portal.Billing.Tests/x12's.
const fs = require('fs');
const path = require('path');
let X12Parser;
try { ({ X12Parser } = require('node-x12')); }
catch { ({ X12Parser } = require(path.join(__dirname, '../../../tests/Portal.Billing.Tests/x12/node_modules/node-x12'))); }

const file = process.argv[2];
const rounds = Number(process.argv[3] || 5);
if (!file) { console.error('usage: node parse.js <file.835> [rounds]'); process.exit(1); }
const text = fs.readFileSync(file, 'utf8');
const run = () => {
  const t = process.cpuUsage();
  const w = process.hrtime.bigint();
  const i = new X12Parser(true).parse(text);
  const c = process.cpuUsage(t);
  return { cpu: (c.user + c.system) / 1e3, wall: Number(process.hrtime.bigint() - w) / 1e6,
           segs: i.functionalGroups[0].transactions.reduce((n, t) => n + t.segments.length, 0) };
};
run();
const runs = Array.from({ length: rounds }, run);
runs.forEach((r, n) => console.log(`node-x12 parse round ${n + 1}: cpu ${r.cpu.toFixed(0)} ms, wall ${r.wall.toFixed(0)} ms, ${r.segs} segments`));
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node-x12 parse median of ${rounds}: cpu ${median(runs.map(r => r.cpu)).toFixed(0)} ms, wall ${median(runs.map(r => r.wall)).toFixed(0)} ms ` +
            `(node ${process.version}, ${path.basename(file)}, ${(text.length / 1e6).toFixed(1)} MB)`);
