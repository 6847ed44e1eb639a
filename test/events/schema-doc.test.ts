import { readFileSync } from 'node:fs';
import t from 'tap';
import { eventEnvelopeSchema } from '../../src/events/schema.js';

t.test('docs/event-envelope.schema.json is the schema the code generates (run `npm run schema` after changing the catalog)', async (t) => {
  const published = JSON.parse(readFileSync(new URL('../../docs/event-envelope.schema.json', import.meta.url), 'utf8')) as unknown;
  t.same(published, eventEnvelopeSchema(), 'the published schema matches the catalog');
});
