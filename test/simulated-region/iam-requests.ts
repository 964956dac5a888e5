/**
 * What AWS authorises for a simulated operation: the IAM actions, the resource ARN each is
 * evaluated against and the request context, from the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
 * and each API's permission notes. Each service declares its operations' authorisations where
 * it is defined (services/*.ts `iam`), with the helpers of iam-arns.ts; the state table's (DynamoDB,
 * answered by dynalite) are here. An operation missing from both is denied: the simulator never
 * lets a call through that it cannot authorise.
 */
import type { AuthRequest } from './iam';
import { arnIn, authReq, isArn } from './iam-arns';
import type { IamCall, IamMapper } from './services';
import { serviceNamed } from './services/all';
import type { SimWorld } from './world';

type Input = IamCall['input'];

/**
 * The state table (dynalite answers; the simulated region authorises).
 * dynamodb:LeadingKeys: the partition key values the request touches
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 */
const DYNAMODB: Record<string, IamMapper> = {
  GetItem: (c) => [authReq('dynamodb:GetItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  PutItem: (c) => [authReq('dynamodb:PutItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Item]))],
  UpdateItem: (c) => [authReq('dynamodb:UpdateItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  DeleteItem: (c) => [authReq('dynamodb:DeleteItem', tableArn(c, c.input.TableName), leadingKeys([c.input.Key]))],
  BatchGetItem: (c) =>
    Object.entries((c.input.RequestItems ?? {}) as Record<string, Input>).map(([t, r]) => authReq('dynamodb:BatchGetItem', tableArn(c, t), leadingKeys((r.Keys ?? []) as unknown[]))),
  Query: (c) => [authReq('dynamodb:Query', tableArn(c, c.input.TableName), queryLeadingKeys(c.input))],
  BatchWriteItem: (c) =>
    Object.entries((c.input.RequestItems ?? {}) as Record<string, Input[]>).map(([t, reqs]) =>
      authReq('dynamodb:BatchWriteItem', tableArn(c, t), leadingKeys(reqs.map((r) => r.PutRequest?.Item ?? r.DeleteRequest?.Key))),
    ),
};

/** The state table's partition key is `pk` (handlers/shared/contract.ts STATE_TABLE). */
const leadingKeys = (items: unknown[]): AuthRequest['context'] => ({
  'dynamodb:LeadingKeys': [...new Set(items.map((i) => (i as Input | undefined)?.pk?.S).filter((k): k is string => typeof k === 'string'))],
});
function queryLeadingKeys(input: Input): AuthRequest['context'] {
  const values = Object.values((input.ExpressionAttributeValues ?? {}) as Record<string, Input>);
  const pk = /pk\s*=\s*(:\w+)/.exec(String(input.KeyConditionExpression ?? ''))?.[1];
  const v = pk ? (input.ExpressionAttributeValues as Record<string, Input> | undefined)?.[pk]?.S : values[0]?.S;
  return { 'dynamodb:LeadingKeys': typeof v === 'string' ? [v] : [] };
}

const tableArn = (c: IamCall, table: unknown): string => (isArn(table) ? table : arnIn('dynamodb', c.region, c.account, `table/${String(table)}`));

/** The authorisations of one call, or undefined when the simulator does not know them (then it denies). */
export function authorizationsFor(world: SimWorld, region: string, service: string, operation: string, input: unknown): AuthRequest[] | undefined {
  const mapper = service === 'DynamoDB' ? DYNAMODB[operation] : serviceNamed(service)?.iam[operation];
  return mapper?.({ world, region, account: world.account, input: (input ?? {}) as Input });
}
