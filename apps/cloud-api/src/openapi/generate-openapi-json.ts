import { CloudApiConfig, validateConfig } from '@app/config';
import { createCloudApiApp } from '../create-app';
import { buildOpenApiDocument } from './openapi-document';

/** The OpenAPI document as committed: built from an in-memory app, pretty-printed. */
export async function generateOpenApiJson(): Promise<string> {
  const config = validateConfig(CloudApiConfig, {
    dataDir: ':memory:',
    logLevel: 'silent',
    token: 'x'.repeat(16),
  });
  const app = await createCloudApiApp(config);
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
