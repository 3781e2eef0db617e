import { IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, Int, InputType, ObjectType } from 'type-graphql';
import { AuditLogFilter } from '../audit/audit.types';
import { PageInfo, MAX_PAGE_SIZE } from '../graphql/pagination';
import { IsSearchTerm } from '../graphql/validation';
import { TenantRole } from '../tenancy/tenancy.types';
import { Agent } from '../accounts/account.types';
import { TwoFactorStatus } from '../two-factor/two-factor.types';

@InputType()
export class TenantAgentFilter {
  @Field({ nullable: true }) twoFactorEnabled?: boolean;
  @Field(() => TenantRole, { nullable: true }) role?: TenantRole;
  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the agent's email or name." })
  @IsOptional()
  @IsSearchTerm()
  search?: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class PageArgs {
  /** Nullable as the contract has it; an explicit null means the default. */
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  after?: string | null;
}

@ArgsType()
export class TenantAgentsArgs extends PageArgs {
  @Field(() => TenantAgentFilter, { nullable: true }) @IsOptional() @ValidateNested() filter?: TenantAgentFilter | null;
}

@ArgsType()
export class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true }) @IsOptional() @ValidateNested() filter?: AuditLogFilter | null;
}

// The listing's object types hold plain values (one row answers every field of a member): their fields resolve
// as plain properties, without type-graphql's per-field wrapper.
@ObjectType({ simpleResolvers: true })
export class SignInRecord {
  @Field() at!: Date;
  @Field({ description: "Whether that sign-in passed this tenant's second factor." }) usedTwoFactor!: boolean;
}

/** A member of a tenant as its admins see it, answered whole from the listing's row (AdminService.listAgents). */
@ObjectType({ simpleResolvers: true })
export class TenantAgent {
  @Field(() => TenantRole) role!: TenantRole;
  @Field(() => Agent) agent!: Agent;
  @Field(() => TwoFactorStatus) twoFactor!: TwoFactorStatus;
  @Field(() => SignInRecord, { nullable: true }) lastSignIn!: SignInRecord | null;
}

@ObjectType({ simpleResolvers: true })
export class TenantAgentEdge {
  @Field() cursor!: string;
  @Field(() => TenantAgent) node!: TenantAgent;
}

@ObjectType({ simpleResolvers: true })
export class TenantAgentConnection {
  @Field(() => [TenantAgentEdge]) edges!: TenantAgentEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
