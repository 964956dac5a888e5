/** The guardrail state table (layout: STATE_TABLE in handlers/shared/contract.ts). */
import { STATE_TABLE, STATE_TABLE_KEYS } from '../handlers/shared/contract';
import type { CfnResource } from './cfn';
import { SERVICE } from './functions';

export function stateTableResource(stage: string): CfnResource {
  return {
    Type: 'AWS::DynamoDB::Table',
    // Locks, budgets and incident timelines outlive a stack replacement.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      TableName: `${SERVICE}-${stage}-state`,
      BillingMode: 'PAY_PER_REQUEST',
      ...STATE_TABLE_KEYS,
      TimeToLiveSpecification: { AttributeName: STATE_TABLE.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: stage === 'prod',
    },
  };
}
