import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from '../src/openapi/generate-openapi-json';
import { OPENAPI_TAGS } from '../src/openapi/openapi-document';
import { startHarness } from './cloud-api-harness';

describe('OpenAPI document (e2e)', () => {
  it('should match the committed openapi/cloud-api.json (run `npm run openapi:generate` after API changes)', async () => {
    const committed = readFileSync(join(__dirname, '../../../openapi/cloud-api.json'), 'utf8');
    expect(await generateOpenApiJson()).toBe(committed);
  });

  it('should list every tag in use, resources first and admin last (the Swagger UI order)', () => {
    const doc = JSON.parse(
      readFileSync(join(__dirname, '../../../openapi/cloud-api.json'), 'utf8'),
    ) as { tags: { name: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> };
    const used = new Set(
      Object.values(doc.paths).flatMap((item) =>
        Object.values(item).flatMap((op) => op.tags ?? []),
      ),
    );
    const listed = doc.tags.map((t) => t.name);
    expect(listed).toEqual(OPENAPI_TAGS.map(([name]) => name));
    expect([...used].filter((tag) => !listed.includes(tag))).toEqual([]);
    expect(listed.slice(0, 2)).toEqual(['instances', 'volumes']);
    expect(listed[listed.length - 1]).toBe('admin');
  });

  it('should serve the document at /openapi.json and the Swagger UI at /docs', async () => {
    const h = await startHarness();
    try {
      const doc = await h.http.get('/openapi.json').expect(200);
      expect(doc.body.info.title).toBe('Nimbus cloud API');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/v1/instances', '/v1/instances/{id}/stop']),
      );
      const create = doc.body.components.schemas.CreateInstanceRequest;
      expect(create.properties.zone.example).toBe('nimbus-1a');
      const ui = await h.http.get('/docs/').expect(200);
      expect(ui.text).toContain('swagger-ui');
      // The UI loads the document from /openapi.json (built on first request).
      const init = await h.http.get('/docs/swagger-ui-init.js').expect(200);
      expect(init.text).toContain('"url": "/openapi.json"');
    } finally {
      await h.close();
    }
  });
});
