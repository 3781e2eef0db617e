import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewaySchema, schemaSdl } from '../schema';

/** `npm run schema`: writes the SDL that type-graphql builds to schema/schema.graphql. */
async function main(): Promise<void> {
  const file = path.resolve(__dirname, '../../../schema/schema.graphql');
  writeFileSync(file, schemaSdl(await buildGatewaySchema()));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

void main();
