import { redactCallInput, redactDeep, redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('masks the password of a connection string and keeps user, host and database', () => {
    expect(redactSecrets('DATABASE_URL=postgresql://regami:s3cr3t@regami-db.abc.us-east-1.rds.amazonaws.com:5432/regami')).toBe(
      'DATABASE_URL=postgresql://regami:***@regami-db.abc.us-east-1.rds.amazonaws.com:5432/regami',
    );
    expect(redactSecrets('postgres://app:p@ss:w0rd@host/db and redis://:token@cache:6379')).toBe('postgres://app:***@host/db and redis://:***@cache:6379');
  });

  it('masks password key/value pairs in libpq strings, env dumps and JSON', () => {
    expect(redactSecrets('host=h password=abc user=u')).toBe('host=h password=*** user=u');
    expect(redactSecrets('PGPASSWORD=xyz psql -h h')).toBe('PGPASSWORD=*** psql -h h');
    expect(redactSecrets('{"user":"u","password":"hunter2"}')).toBe('{"user":"u","password":***}');
  });

  it('leaves text without credentials alone', () => {
    const text = 'https://api.regami.com/health?check=db returned 503; postgresql://regami@host/db';
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts every string of a nested value without touching the original', () => {
    const original = { lines: ['postgresql://u:pw@h/db'], n: 3, nested: { url: 'mysql://a:b@c/d' } };
    expect(redactDeep(original)).toEqual({ lines: ['postgresql://u:***@h/db'], n: 3, nested: { url: 'mysql://a:***@c/d' } });
    expect(original.lines[0]).toBe('postgresql://u:pw@h/db');
  });

  it('keeps a Secrets Manager ARN readable: it names a secret, it is not one', () => {
    const text = 'DATABASE_URL now from arn:aws:secretsmanager:us-west-2:123456789012:secret:regami/db/url/inc/regami-db-replica-AbCdEf';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets('secret: hunter2 and secret=hunter2')).toBe('secret: *** and secret=***');
  });
});

describe('redactCallInput', () => {
  it('masks the value a reference is written with, whatever the field is called, and keeps the names', () => {
    const url = 'postgresql://regami_app:hunter2@regami-db-replica.abc.us-west-2.rds.amazonaws.com:5432/regami';
    expect(redactCallInput('SSM', 'PutParameter', { Name: '/regami/db-url/x', Value: url, Type: 'SecureString', Tags: [{ Key: 'autopilot:incident', Value: 'x' }] })).toEqual({
      Name: '/regami/db-url/x',
      Value: '***',
      Type: 'SecureString',
      Tags: [{ Key: 'autopilot:incident', Value: 'x' }],
    });
    expect(redactCallInput('SecretsManager', 'CreateSecret', { Name: 'regami/db/url/x', SecretString: JSON.stringify({ url }) })).toEqual({ Name: 'regami/db/url/x', SecretString: '***' });
    expect(JSON.stringify(redactCallInput('ECS', 'UpdateService', { service: 's', desiredCount: 2 }))).toBe('{"service":"s","desiredCount":2}');
  });
});
