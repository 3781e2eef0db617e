import { Field, Int, ObjectType } from 'type-graphql';
import { Tenant, toTenant } from '../tenancy/tenancy.types';
import type { BegunDeviceSignIn, DeviceSignInView } from './device-sign-in.service';

@ObjectType({ description: 'v3. A CLI (or any device without a browser) asking to be signed in through a browser (RFC 8628 style).' })
export class DeviceSignIn {
  @Field({ description: 'Secret: only the device polls with it.' }) deviceCode!: string;
  @Field({ description: 'Short, shown in the terminal and typed or confirmed in the browser, e.g. WDJB-MJHT.' }) userCode!: string;
  @Field() verificationUri!: string;
  @Field() verificationUriComplete!: string;
  @Field() expiresAt!: Date;
  @Field(() => Int, { description: 'Seconds between polls.' }) interval!: number;
}

@ObjectType({ description: 'v3. What a browser session sees before approving a device sign-in.' })
export class DeviceSignInRequest {
  @Field() userCode!: string;
  @Field() clientName!: string;
  @Field(() => String, { nullable: true, description: 'The address the device asked from.' }) clientIp!: string | null;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
  @Field(() => Tenant, { nullable: true, description: 'The tenant whose second factor the new session should hold, when the device asked for one.' })
  tenant!: Tenant | null;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
}

export function toDeviceSignIn(begun: BegunDeviceSignIn): DeviceSignIn {
  return Object.assign(new DeviceSignIn(), begun);
}

export function toDeviceSignInRequest(view: DeviceSignInView): DeviceSignInRequest {
  return Object.assign(new DeviceSignInRequest(), { ...view, tenant: view.tenant && toTenant(view.tenant) });
}
