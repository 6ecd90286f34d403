// Loaded with `node --import`: appends the URL of every module the process loads to the file
// named by S3KIT_RECORD_IMPORTS, so a test can see what a command loads (start-up cost).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(process.env.S3KIT_RECORD_IMPORTS)}, url + '\\n');
  return next(url, context);
}`)}`,
  import.meta.url,
);
