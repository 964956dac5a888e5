import { simHarness } from '../../test/simulated-region/test-support';
import { cloneWithDatabaseHost } from './task-definitions';

const registrations = (h: ReturnType<typeof simHarness>): number => h.world.calls.filter((c) => c.operation === 'RegisterTaskDefinition' && c.outcome === 'ok').length;

describe('cloneWithDatabaseHost', () => {
  const NEW_HOST = 'regami-db-restored.c9akciq32.us-east-1.rds.amazonaws.com';

  it('registers a copy whose DATABASE_URL points at the new host', async () => {
    const h = simHarness();
    const clone = await cloneWithDatabaseHost(h.aws.in('us-east-1').ecs, 'regami-api:41', 'app', NEW_HOST, 'test');
    expect(clone.registered).toBe(true);
    expect(clone.revision).toBe(42);
    expect(registrations(h)).toBe(1);
  });

  it('registers nothing when the source already points at the host (a retried step after a crash)', async () => {
    const h = simHarness();
    const ecs = h.aws.in('us-east-1').ecs;
    const first = await cloneWithDatabaseHost(ecs, 'regami-api:41', 'app', NEW_HOST, 'test');
    const again = await cloneWithDatabaseHost(ecs, first.taskDefinitionArn, 'app', NEW_HOST.toUpperCase(), 'test');
    expect(again).toEqual({ taskDefinitionArn: first.taskDefinitionArn, revision: first.revision, registered: false });
    expect(registrations(h)).toBe(1);
  });

  it('never writes a plaintext URL when DATABASE_URL is a secrets reference: refused by name, nothing registered', async () => {
    const h = simHarness({
      regions: {
        'us-east-1': {
          ecs: { taskDefinitions: { 'regami-api:41': { containers: { app: { environment: {}, secrets: { DATABASE_URL: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-AbCdEf' } } } } } },
        },
      },
    });
    await expect(cloneWithDatabaseHost(h.aws.in('us-east-1').ecs, 'regami-api:41', 'app', NEW_HOST, 'test')).rejects.toThrow(/^DatabaseUrlIsSecretReference: /);
    expect(registrations(h)).toBe(0);
  });
});
