/**
 * Regenerates openapi/cloud-api.json from the code (npm run openapi:generate). A test fails when the
 * committed file and the generated document differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson } from './generate-openapi-json';

const target = join(__dirname, '../../../../openapi/cloud-api.json');
generateOpenApiJson()
  .then((json) => {
    writeFileSync(target, json);
    process.stdout.write(`wrote ${target}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
