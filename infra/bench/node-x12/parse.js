// node parse.js <file.835>: CPU time of X12Parser.parse (node-x12 1.7.1) on the file, best of 3 after one warm-up.
const fs = require('fs');
const { X12Parser } = require('node-x12');
const text = fs.readFileSync(process.argv[2], 'utf8');
const run = () => { const t = process.cpuUsage(); const w = process.hrtime.bigint(); const i = new X12Parser(true).parse(text); const c = process.cpuUsage(t); return { cpu: (c.user + c.system) / 1e3, wall: Number(process.hrtime.bigint() - w) / 1e6, segs: i.functionalGroups[0].transactions.reduce((n, t) => n + t.segments.length, 0) }; };
run();
const runs = [run(), run(), run()];
for (const r of runs) console.log(`node-x12 parse: cpu ${r.cpu.toFixed(0)} ms, wall ${r.wall.toFixed(0)} ms, ${r.segs} segments`);
