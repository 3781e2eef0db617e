import { Args, ArgsType, Ctx, Field, ID, Mutation, Resolver } from 'type-graphql';
import type { SessionIdentity } from '../../../accounts/session-identity';
import type { GatewayContext } from '../../../context';
import { CurrentSession } from '../../../graphql/current-session';
import { Admitted, TenantGate } from '../../../graphql/tenant-gate';
import type { MemberFacts } from '../../gate.service';
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
  // A privileged action: a stolen session and password alone must not read the codes that replace the factor.
  @TenantGate('privileged', { tenantArg: 'tenantId' })
  viewRecoveryCodes(@Args() { password }: ViewRecoveryCodesArgs, @CurrentSession() session: SessionIdentity, @Admitted() facts: MemberFacts, @Ctx() { services }: GatewayContext): Promise<RecoveryCodes> {
    return services.recoveryCodeView.view(session, facts, password);
  }
}
