import { Field, ID, ObjectType } from 'type-graphql';
import type { RememberedDeviceView } from './remembered-device.service';

@ObjectType({ description: "v3. A browser or client that skips this tenant's challenge until `expiresAt`." })
export class RememberedDevice {
  @Field(() => ID) id!: string;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => String, { nullable: true }) clientIp!: string | null;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
  @Field({ description: 'The device this request comes from.' }) current!: boolean;
}

export function toRememberedDevice(view: RememberedDeviceView): RememberedDevice {
  return Object.assign(new RememberedDevice(), view);
}
