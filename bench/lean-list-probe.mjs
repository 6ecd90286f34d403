import { createS3Client, listS3 } from '../dist/index.js';
const conn = { endpoint: process.env.S3KIT_TEST_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'testsecret' } };
for (let r = 0; r < 3; r++) for (const transport of ['sdk', 'lean']) {
  const client = createS3Client({ ...conn, transport });
  const t0 = performance.now(); const c0 = process.cpuUsage(); let n = 0;
  for await (const e of listS3(client, { kind: 's3', bucket: 'lean-bench', prefix: 'x/' })) n++;
  const c = process.cpuUsage(c0);
  console.log(transport, n, (performance.now() - t0).toFixed(0), 'ms', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu');
}
