import { defaultConfig } from '../../domain/config';
import { simHarness } from '../../test/simulated-region/test-support';
import { secretArnSuffix } from '../../test/simulated-region/services/secretsmanager';
import { cloneWithDatabaseHost } from './task-definitions';

const registrations = (h: ReturnType<typeof simHarness>) => h.world.calls.filter((c) => c.operation === 'RegisterTaskDefinition' && c.outcome === 'ok');
const OPTS = { incidentKey: 'restore-from-backup-test', prefixes: defaultConfig.database.urlReferences };
const PASSWORD = 'Sw0rdf1sh-in-the-secret';
const PRIMARY_HOST = 'regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com';
const url = (host: string): string => `postgresql://regami_app:${PASSWORD}@${host}:5432/regami`;
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-${secretArnSuffix('regami/db/url')}`;

/** The primary service's revision reads DATABASE_URL from `valueFrom` instead of its environment. */
function withReference(valueFrom: string, world: Record<string, unknown> = {}) {
  return simHarness({
    regions: {
      'us-east-1': {
        ecs: { taskDefinitions: { 'regami-api:41': { containers: { app: { environment: { DATABASE_URL: null }, secrets: { DATABASE_URL: valueFrom } } } } } },
        ...world,
      },
    },
  });
}

describe('cloneWithDatabaseHost', () => {
  const NEW_HOST = 'regami-db-restored.c9akciq32.us-east-1.rds.amazonaws.com';

  it('registers a copy whose DATABASE_URL points at the new host', async () => {
    const h = simHarness();
    const clone = await cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS);
    expect(clone.registered).toBe(true);
    expect(clone.revision).toBe(42);
    expect(clone.reference).toBeUndefined();
    expect(registrations(h)).toHaveLength(1);
  });

  it('registers nothing when the source already points at the host (a retried step after a crash)', async () => {
    const h = simHarness();
    const first = await cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS);
    const again = await cloneWithDatabaseHost(h.aws, 'us-east-1', first.taskDefinitionArn, 'app', NEW_HOST.toUpperCase(), 'test', OPTS);
    expect(again).toEqual({ taskDefinitionArn: first.taskDefinitionArn, revision: first.revision, registered: false });
    expect(registrations(h)).toHaveLength(1);
  });

  it('a Secrets Manager reference: a NEW secret with only the host rewritten, the copy reading it, no plaintext in the task definition, the source untouched', async () => {
    const h = withReference(SECRET_ARN, { secretsmanager: { secrets: { 'regami/db/url': { value: url(PRIMARY_HOST) } } } });
    const clone = await cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS);
    expect(clone).toMatchObject({ registered: true, reference: { kind: 'secretsmanager', name: 'regami/db/url/restore-from-backup-test/regami-db-restored', created: true } });
    const secrets = h.world.region('us-east-1').secretsmanager.secrets;
    expect(secrets.get('regami/db/url')?.value).toBe(url(PRIMARY_HOST));
    expect(secrets.get('regami/db/url/restore-from-backup-test/regami-db-restored')?.value).toBe(url(NEW_HOST));
    const input = registrations(h)[0]!.input as { containerDefinitions: { name: string; environment?: { name: string }[]; secrets?: { name: string; valueFrom: string }[] }[] };
    const app = input.containerDefinitions.find((c) => c.name === 'app')!;
    expect(app.secrets?.find((s) => s.name === 'DATABASE_URL')?.valueFrom).toBe(clone.reference!.arn);
    expect(app.environment?.some((e) => e.name === 'DATABASE_URL')).toBe(false);
    expect(JSON.stringify(input)).not.toContain(PASSWORD);
    // A retry finds its own work: the copy reads a secret on the host already.
    const again = await cloneWithDatabaseHost(h.aws, 'us-east-1', clone.taskDefinitionArn, 'app', NEW_HOST, 'test', OPTS);
    expect(again.registered).toBe(false);
    expect(h.world.calls.filter((c) => c.operation === 'CreateSecret')).toHaveLength(1);
  });

  it('a JSON secret read by key: the new secret keeps the other keys, the valueFrom keeps the key', async () => {
    const json = JSON.stringify({ username: 'regami_app', password: PASSWORD, url: url(PRIMARY_HOST) });
    const h = withReference(`${SECRET_ARN}:url::`, { secretsmanager: { secrets: { 'regami/db/url': { value: json } } } });
    const clone = await cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS);
    const written = JSON.parse(h.world.region('us-east-1').secretsmanager.secrets.get(clone.reference!.name)!.value) as Record<string, string>;
    expect(written).toEqual({ username: 'regami_app', password: PASSWORD, url: url(NEW_HOST) });
    expect(clone.reference!.valueFrom).toBe(`${clone.reference!.arn}:url::`);
  });

  it('an SSM SecureString: a NEW parameter under the same key, the copy reading its ARN', async () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd';
    const h = withReference('/regami/prod/database-url', { ssm: { parameters: { '/regami/prod/database-url': { value: url(PRIMARY_HOST), keyId: key } } } });
    const clone = await cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS);
    expect(clone.reference).toMatchObject({ kind: 'ssm', name: '/regami/prod/database-url/restore-from-backup-test/regami-db-restored', arn: 'arn:aws:ssm:us-east-1:123456789012:parameter/regami/prod/database-url/restore-from-backup-test/regami-db-restored' });
    const written = h.world.region('us-east-1').ssm.parameters.get(clone.reference!.name)!;
    expect(written).toMatchObject({ value: url(NEW_HOST), type: 'SecureString', keyId: key });
    expect(h.world.region('us-east-1').ssm.parameters.get('/regami/prod/database-url')?.value).toBe(url(PRIMARY_HOST));
    expect(JSON.stringify(registrations(h)[0]!.input)).not.toContain(PASSWORD);
  });

  it('a reference it cannot follow is refused by name and reason: nothing written, nothing registered', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [SECRET_ARN, {}, /cannot be read in us-east-1 \(ResourceNotFoundException\)/],
      ['arn:aws:secretsmanager:us-east-1:123456789012:secret:other/url-AbCdEf', {}, /outside database.urlReferences/],
      [SECRET_ARN, { secretsmanager: { secrets: { 'regami/db/url': { value: 'host=db password=x' } } } }, /not a URL/],
      ['arn:aws:ssm:us-west-2:123456789012:parameter/regami/url', {}, /parameters are not replicated/],
    ];
    for (const [valueFrom, world, reason] of cases) {
      const h = withReference(valueFrom, world);
      await expect(cloneWithDatabaseHost(h.aws, 'us-east-1', 'regami-api:41', 'app', NEW_HOST, 'test', OPTS)).rejects.toThrow(reason);
      expect(registrations(h)).toHaveLength(0);
      expect(h.world.calls.filter((c) => c.operation === 'CreateSecret' || c.operation === 'PutParameter')).toHaveLength(0);
    }
  });
});
