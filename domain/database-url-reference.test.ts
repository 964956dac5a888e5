import { withDatabaseEndpoint } from './database-url';
import {
  databaseUrlIn,
  endpointIn,
  newParameterName,
  newSecretName,
  newValueFrom,
  parseDatabaseUrlReference,
  readableIn,
  rewriteSecretValue,
  UnusableSecretValue,
  withinPrefix,
  type DatabaseUrlReference,
} from './database-url-reference';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-AbCdEf';
const URL = 'postgresql://regami_app:p@ss:w0rd@regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com:5432/regami?sslmode=require';
const REPLICA = { address: 'regami-db-replica.c9akciq32.us-west-2.rds.amazonaws.com', port: 5432 };
const PREFIXES = { secretNamePrefix: 'regami/', parameterNamePrefix: '/regami/' };
const parsed = (valueFrom: string, region = 'us-west-2'): DatabaseUrlReference => {
  const r = parseDatabaseUrlReference(valueFrom, region);
  if ('error' in r) throw new Error(r.error);
  return r;
};

describe('DATABASE_URL references (ECS secrets valueFrom)', () => {
  it('parses a Secrets Manager secret ARN, with and without the json-key:version-stage:version-id suffix', () => {
    expect(parsed(SECRET)).toEqual({ kind: 'secretsmanager', valueFrom: SECRET, secretArn: SECRET, region: 'us-east-1', account: '123456789012', nameWithSuffix: 'regami/db/url-AbCdEf' });
    expect(parsed(`${SECRET}:url::`)).toMatchObject({ secretArn: SECRET, jsonKey: 'url' });
    expect(parsed(`${SECRET}:url:AWSPREVIOUS:`)).toMatchObject({ jsonKey: 'url', versionStage: 'AWSPREVIOUS' });
    expect(parsed(`${SECRET}::AWSCURRENT:`)).not.toHaveProperty('jsonKey');
  });

  it('parses an SSM parameter ARN, and a bare name as a parameter of the task\'s Region', () => {
    const arn = 'arn:aws:ssm:us-west-2:123456789012:parameter/regami/prod/database-url';
    expect(parsed(arn)).toEqual({ kind: 'ssm', valueFrom: arn, parameter: arn, region: 'us-west-2' });
    expect(parsed('/regami/prod/database-url', 'us-east-1')).toEqual({ kind: 'ssm', valueFrom: '/regami/prod/database-url', parameter: '/regami/prod/database-url', region: 'us-east-1' });
    expect(parseDatabaseUrlReference('arn:aws:s3:::bucket/key', 'us-east-1')).toEqual({ error: expect.stringContaining('neither a Secrets Manager secret ARN nor an SSM parameter ARN') });
    expect(parseDatabaseUrlReference('not a name!', 'us-east-1')).toEqual({ error: expect.stringContaining('not an SSM parameter name') });
  });

  it('reads a secret of another Region from its replica (same ARN, Region changed), and refuses a parameter of another Region', () => {
    expect(readableIn(parsed(SECRET), 'us-east-1')).toEqual({ id: SECRET, replica: false });
    expect(readableIn(parsed(SECRET), 'us-west-2')).toEqual({ id: SECRET.replace('us-east-1', 'us-west-2'), replica: true });
    expect(readableIn(parsed('arn:aws:ssm:us-east-1:123456789012:parameter/regami/url'), 'us-west-2')).toEqual({ error: expect.stringContaining('parameters are not replicated') });
    expect(readableIn(parsed('/regami/url', 'us-west-2'), 'us-west-2')).toEqual({ id: '/regami/url', replica: false });
  });

  it('names the new reference after the source, the incident and the instance; a JSON secret keeps its key', () => {
    expect(newSecretName('regami/db/url', 'database-failover-regami-db-primary', REPLICA.address)).toBe('regami/db/url/database-failover-regami-db-primary/regami-db-replica');
    expect(newParameterName('/regami/url', 'restore-from-backup-x:y', 'regami-db-primary-pitr-1.abc.us-east-1.rds.amazonaws.com')).toBe('/regami/url/restore-from-backup-x-y/regami-db-primary-pitr-1');
    expect(newParameterName('db-url', 'k', 'h.example')).toBe('/db-url/k/h');
    const fresh = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:regami/db/url/k/h-Zz9Yy8';
    expect(newValueFrom(parsed(`${SECRET}:url:AWSPREVIOUS:`), fresh)).toBe(`${fresh}:url::`);
    expect(newValueFrom(parsed(SECRET), fresh)).toBe(fresh);
  });

  it('rewrites only the host (and a port that differs) of the whole value, keeping the credentials', () => {
    expect(rewriteSecretValue(URL, undefined, REPLICA, SECRET)).toBe('postgresql://regami_app:p@ss:w0rd@regami-db-replica.c9akciq32.us-west-2.rds.amazonaws.com:5432/regami?sslmode=require');
    expect(rewriteSecretValue(URL, undefined, { address: 'db2', port: 6432 }, SECRET)).toBe('postgresql://regami_app:p@ss:w0rd@db2:6432/regami?sslmode=require');
    expect(rewriteSecretValue(URL, undefined, { address: 'db2' }, SECRET)).toBe('postgresql://regami_app:p@ss:w0rd@db2:5432/regami?sslmode=require');
  });

  it('rewrites one JSON key, keeping the other keys and their order', () => {
    const json = JSON.stringify({ username: 'regami_app', password: 'p@ss', url: URL, port: 5432 });
    const out = JSON.parse(rewriteSecretValue(json, 'url', REPLICA, SECRET)) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['username', 'password', 'url', 'port']);
    expect(out).toMatchObject({ username: 'regami_app', password: 'p@ss', port: 5432 });
    expect(out.url).toContain(REPLICA.address);
    expect(endpointIn(json, 'url', SECRET)).toEqual({ host: 'regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com', port: 5432 });
  });

  it('refuses a value it cannot rewrite, naming the reference and never the value', () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['host=db password=hunter2', undefined, /not a URL/],
      ['{"password":"hunter2"}', 'url', /no string at JSON key "url"/],
      ['hunter2', 'url', /not JSON/],
    ];
    for (const [value, key, reason] of cases) {
      let caught: unknown;
      try {
        databaseUrlIn(value, key, SECRET);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(UnusableSecretValue);
      expect((caught as Error).message).toMatch(reason);
      expect((caught as Error).message).toContain(SECRET);
      expect((caught as Error).message).not.toContain('hunter2');
    }
  });

  it('is within the configured prefixes or not (the roles read and write nothing else)', () => {
    expect(withinPrefix(parsed(SECRET), PREFIXES)).toBe(true);
    expect(withinPrefix(parsed('arn:aws:secretsmanager:us-east-1:123456789012:secret:other/db-AbCdEf'), PREFIXES)).toBe(false);
    expect(withinPrefix(parsed('/regami/url'), PREFIXES)).toBe(true);
    expect(withinPrefix(parsed('arn:aws:ssm:us-west-2:123456789012:parameter/regami/url'), PREFIXES)).toBe(true);
    expect(withinPrefix(parsed('/other/url'), PREFIXES)).toBe(false);
    expect(withinPrefix(parsed(SECRET), { ...PREFIXES, secretNamePrefix: '' })).toBe(false);
  });
});

describe('withDatabaseEndpoint', () => {
  it('keeps a port that matches, adds or replaces one that does not', () => {
    expect(withDatabaseEndpoint('postgresql://u:p@old:5432/db', { address: 'new', port: 5432 })).toBe('postgresql://u:p@new:5432/db');
    expect(withDatabaseEndpoint('postgresql://u:p@old/db', { address: 'new', port: 5432 })).toBe('postgresql://u:p@new/db');
    expect(withDatabaseEndpoint('postgresql://u:p@old/db', { address: 'new', port: 6432 })).toBe('postgresql://u:p@new:6432/db');
    expect(withDatabaseEndpoint('postgresql://u:p@old:5432/db', { address: 'new', port: 6432 })).toBe('postgresql://u:p@new:6432/db');
    expect(withDatabaseEndpoint('postgresql://u:p@old:6432/db', { address: 'new' })).toBe('postgresql://u:p@new:6432/db');
  });
});
