#!/usr/bin/env node
// Writes docs/event-envelope.schema.json from the built event catalog (dist/src/events/schema.js), so the
// published JSON Schema can never drift from the code. Run after `npm run build`:
//
//   node scripts/generate-schema.js          writes the file
//   node scripts/generate-schema.js --check  exits 1 when the file is missing or out of date
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const output = fileURLToPath(new URL('docs/event-envelope.schema.json', root));

const { eventEnvelopeSchema } = await import(new URL('dist/src/events/schema.js', root).href);
const text = `${JSON.stringify(eventEnvelopeSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const current = await readFile(output, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(`${output} is out of date: run \`node scripts/generate-schema.js\`\n`);
    process.exitCode = 1;
  }
} else {
  await writeFile(output, text);
  process.stdout.write(`wrote ${output}\n`);
}
