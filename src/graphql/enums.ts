import { registerEnumType } from 'type-graphql';

type EnumOptions<T extends string> = Omit<Parameters<typeof registerEnumType<{ [K in T]: K }>>[1], 'valuesConfig'> & {
  valuesConfig?: Partial<Record<T, { description?: string; deprecationReason?: string }>>;
};

/**
 * Registers an `as const` list of names as a GraphQL enum, in list order, and answers the enum object
 * (`TenantRole.OWNER === 'OWNER'`). The list is the one declaration: entities and rules use its element type,
 * so a value read from the database needs no cast to become the GraphQL value.
 */
export function graphqlEnum<const T extends string>(values: readonly T[], options: EnumOptions<T>): { readonly [K in T]: K } {
  const enumObject = Object.fromEntries(values.map((value) => [value, value])) as { [K in T]: K };
  registerEnumType(enumObject, options as Parameters<typeof registerEnumType<{ [K in T]: K }>>[1]);
  return enumObject;
}
