// Lean listing lane (issue 13): CPU and wall time of one listing of s3://lean-bench/x/ in-process,
// SDK lane against lean lane, alternating, 3 rounds (the first round warms up). Seed it first, e.g.
// `s3kit sync DIR-OF-20000-FILES s3://lean-bench/x --endpoint-url $S3KIT_TEST_ENDPOINT`, then
// `npm run build && node bench/lean-list-probe.mjs` (uses S3KIT_TEST_ENDPOINT and the dev keys).
import { createS3Client, listS3 } from '../dist/index.js';
const conn = { endpoint: process.env.S3KIT_TEST_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: process.env.S3KIT_TEST_ACCESS_KEY ?? 'test', secretAccessKey: process.env.S3KIT_TEST_SECRET_KEY ?? 'testsecret' } };
for (let r = 0; r < 3; r++) for (const transport of ['sdk', 'lean']) {
  const client = createS3Client({ ...conn, transport });
  const t0 = performance.now(); const c0 = process.cpuUsage(); let n = 0;
  for await (const e of listS3(client, { kind: 's3', bucket: 'lean-bench', prefix: 'x/' })) n++;
  const c = process.cpuUsage(c0);
  console.log(transport, n, (performance.now() - t0).toFixed(0), 'ms', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu');
}
