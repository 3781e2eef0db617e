import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema, schemaSdl } from '../../src/schema';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');


describe('the schema', () => {
  it('is checked in as emitted (run `npm run schema` after changing a resolver)', async () => {
    expect(read('schema/schema.graphql')).toBe(schemaSdl(await buildGatewaySchema()));
  });

  it('keeps every type, field, argument and enum value of the contract', () => {
    const contract = buildSchema(read('test/fixtures/contract.graphql'));
    const project = buildSchema(read('schema/schema.graphql'));
    const breaking = findBreakingChanges(contract, project)
      // ErrorCode documents extensions.code values; it is not a schema type.
      .filter((change) => !/^ErrorCode\b/.test(change.description) && !/ErrorCode was removed/.test(change.description))
      .map((change) => change.description);
    expect(breaking).toEqual([]);
  });

  it('has its typed operations generated from the current schema (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.yml') });
    const outputs = await generate({ ...config, cwd: root, silent: true }, false);
    for (const output of outputs as Array<{ filename: string; content: string }>) {
      expect(read(path.relative(root, path.resolve(root, output.filename))), output.filename).toBe(output.content);
    }
  });
});
