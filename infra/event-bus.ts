/**
 * The private bus for operator requests and runbook hand-offs ('Rollback Requested',
 * 'Scale Requested', 'Restore Requested', 'S3 Restore Requested').
 *
 * On the default bus anyone in the account holding events:PutEvents can write an event
 * with `source: runbook-autopilot`. A resource policy that only *allows* named principals
 * does not change that inside one account: an identity policy alone grants access to a
 * same-account resource. So the policy also *denies* PutEvents to every principal whose
 * aws:PrincipalArn is not one of the two roles that may write here (an explicit deny in a
 * resource policy wins over any allow). aws:PrincipalArn is the role ARN for every session
 * of a role, so the key names the role, whatever the session is called.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
import { getAtt, sub, type CfnResource, type CfnValue } from './cfn';
import { SERVICE } from './functions';

export const privateBusName = (stage: string): string => `${SERVICE}-${stage}-requests`;

/** The bus ARN from its name: the bus's own policy cannot GetAtt the bus it belongs to. */
export const privateBusArn = (stage: string): CfnValue => sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${privateBusName(stage)}`);

/**
 * `writerRoleIds`: logical ids of the only roles that may put events on the bus (the
 * investigate-5xx intake for hand-offs, the operator-request function for verified requests).
 */
export function privateBusResource(stage: string, writerRoleIds: readonly string[]): CfnResource {
  const writers = writerRoleIds.map((id) => getAtt(id, 'Arn'));
  return {
    Type: 'AWS::Events::EventBus',
    Properties: {
      Name: privateBusName(stage),
      Description: 'Runbook Autopilot: operator requests (verified by the operator-request function) and runbook hand-offs only',
      Policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'NamedWritersOnly',
            Effect: 'Allow',
            Principal: { AWS: writers },
            Action: 'events:PutEvents',
            Resource: privateBusArn(stage),
          },
          {
            Sid: 'NobodyElseWrites',
            Effect: 'Deny',
            Principal: '*',
            Action: 'events:PutEvents',
            Resource: privateBusArn(stage),
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': writers } },
          },
        ],
      },
    },
  };
}
