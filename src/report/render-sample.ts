// Renders the sample scan to an HTML file, for eyeballing the report:
//   npm run build && node dist/report/render-sample.js [out=/tmp/report-sample.html]
import { writeFileSync } from 'node:fs';
import { renderReport } from './html.js';
import { sampleScan } from './sample.js';

const out = process.argv[2] ?? '/tmp/report-sample.html';
const scan = sampleScan({ accounts: 20_000, campaigns: 6, days: 28, seed: 11 });
writeFileSync(out, renderReport({ ...scan, title: 'distillguard: March 2025 traffic' }));
console.log(`wrote ${out}`);
