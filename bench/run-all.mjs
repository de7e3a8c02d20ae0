// npm run bench: every bench in turn (each prints its table and writes bench/results/<name>.json).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const benches = (process.env.BENCHES ?? 'http-throughput,http-scaling,latency-accuracy,startup,mcp-throughput,soak-memory,sut-sampling').split(',');
for (const b of benches) {
  const file = join(ROOT, 'bench', `${b}.mjs`);
  if (!existsSync(file)) {
    console.log(`\n${b}: not present, skipped`);
    continue;
  }
  console.log(`\n=== ${b} ===`);
  spawnSync(process.execPath, [file], { stdio: 'inherit' });
}
