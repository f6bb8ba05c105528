import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from '../src/openapi/generate-openapi-json';
import { startHarness } from './cloud-api-harness';

describe('OpenAPI document (e2e)', () => {
  it('should match the committed openapi/cloud-api.json (run `npm run openapi:generate` after API changes)', async () => {
    const committed = readFileSync(join(__dirname, '../../../openapi/cloud-api.json'), 'utf8');
    expect(await generateOpenApiJson()).toBe(committed);
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
    } finally {
      await h.close();
    }
  });
});
