/**
 * The blue/green rollback finds a bad CodeDeploy deployment in every status that has not ended:
 * Created, Queued, InProgress, Ready, Baking
 * (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html, status).
 */
import { defaultConfig } from '../../domain/config';
import { simHarness } from '../../test/simulated-region/test-support';
import { AwsRollbackOperations } from './rollback';

const cfg = defaultConfig;

describe('activeCodeDeployDeployments', () => {
  it.each(['Created', 'Queued', 'InProgress', 'Ready', 'Baking'])('finds a deployment that is %s and can stop it with a rollback', async (status) => {
    const h = simHarness({
      regions: { 'us-east-1': { codedeploy: { applications: { [cfg.codeDeploy.applicationName]: { groups: { [cfg.codeDeploy.deploymentGroupName]: { deployments: { 'd-BAD000042': { status, createdAt: -300, taskDefinition: `${cfg.service.taskFamily}:42`, creator: 'user' } } } } } } } } },
    });
    const ops = new AwsRollbackOperations(h.aws.in('us-east-1'), cfg);
    const active = await ops.activeCodeDeployDeployments();
    expect(active.map((d) => d.id)).toContain('d-BAD000042');
    const stopped = await ops.stopCodeDeployWithRollback('d-BAD000042');
    expect(stopped.status).toBe('Stopped');
  });

  it('does not take a finished deployment for an active one', async () => {
    const h = simHarness();
    expect(await new AwsRollbackOperations(h.aws.in('us-east-1'), cfg).activeCodeDeployDeployments()).toEqual([]);
  });
});
