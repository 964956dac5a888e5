import { redactDeep, redactSecrets } from './redact';

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
});
