// Scenario 6: plans a 1,000,000-key no-op with both listings generated (no server): the planner
// alone. Prints the time; peak RSS is measured from outside (/usr/bin/time).
import { planSync, sizeMtimeComparator } from '../dist/index.js';

const count = Number(process.argv[2] ?? 1_000_000);
async function* listing(mtimeMs) {
  // Sorted by construction: 1000 directories of 1000 files, names zero-padded.
  for (let dir = 0; dir < 1000; dir++) {
    const prefix = `dir${String(dir).padStart(4, '0')}/`;
    for (let i = 0; i < count / 1000; i++) yield { key: `${prefix}file-${String(i).padStart(7, '0')}.dat`, size: 4096, mtimeMs };
  }
}
const started = performance.now();
let actions = 0;
const context = { objectMetadata: async () => ({}), fileDigest: async () => ({ md5: '', multipartEtags: new Map() }) };
for await (const action of planSync(listing(1000), listing(2000), { comparator: sizeMtimeComparator(), context })) {
  if (action.type !== 'skip') throw new Error(`unexpected ${action.type}`);
  actions++;
}
process.stdout.write(`${JSON.stringify({ actions, seconds: (performance.now() - started) / 1000 })}\n`);
