import type { TwoFactorPolicy } from '../../../client/generated/graphql';

/** The policy as the CLI spells it (`admin set policy optional|admins|everyone`) and as the API does. */
const NAMES: Record<string, TwoFactorPolicy> = {
  optional: 'OPTIONAL',
  admins: 'REQUIRED_FOR_ADMINS',
  everyone: 'REQUIRED_FOR_EVERYONE',
};

export const POLICY_NAMES = {
  choices: Object.keys(NAMES),
  toApi: (name: string): TwoFactorPolicy | undefined => NAMES[name],
  fromApi: (policy: TwoFactorPolicy): string => Object.keys(NAMES).find((name) => NAMES[name] === policy) ?? policy,
};
