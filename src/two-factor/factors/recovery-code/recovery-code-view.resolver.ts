import { Args, ArgsType, Ctx, Field, ID, Mutation, Resolver } from 'type-graphql';
import type { SessionIdentity } from '../../../accounts/account.service';
import type { GatewayContext } from '../../../context';
import { CurrentSession } from '../../../graphql/current-session';
import { TenantGate } from '../../../graphql/tenant-gate';
import { IsPassword } from '../../../graphql/validation';
import { RecoveryCodes } from '../../two-factor.types';

@ArgsType()
class ViewRecoveryCodesArgs {
  @Field(() => ID) tenantId!: string;
  @Field() @IsPassword() password!: string;
}

@Resolver()
export class RecoveryCodeViewResolver {
  @Mutation(() => RecoveryCodes, { description: 'VIEWABLE tenants: the unused codes again (those issued while VIEWABLE). RECOVERY_CODES_NOT_VIEWABLE otherwise.' })
  @TenantGate('member', { tenantArg: 'tenantId' })
  async viewRecoveryCodes(@Args() { tenantId, password }: ViewRecoveryCodesArgs, @CurrentSession() session: SessionIdentity, @Ctx() { services, loaders }: GatewayContext): Promise<RecoveryCodes> {
    return services.recoveryCodeView.view(session, await services.gate.member(loaders, tenantId), password);
  }
}
