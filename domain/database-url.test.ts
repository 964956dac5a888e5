import { databaseHost, withDatabaseHost } from './database-url';

describe('DATABASE_URL rewriting', () => {
  it('changes only the host, keeping credentials, port, database and query', () => {
    expect(withDatabaseHost('postgresql://app:s3cr3t@old.rds.amazonaws.com:5432/regami?sslmode=require', 'new.rds.amazonaws.com')).toBe(
      'postgresql://app:s3cr3t@new.rds.amazonaws.com:5432/regami?sslmode=require',
    );
  });
  it('works without credentials or port', () => {
    expect(withDatabaseHost('postgresql://old/regami', 'new')).toBe('postgresql://new/regami');
  });
  it('refuses something that is not a URL instead of guessing', () => {
    expect(() => withDatabaseHost('host=old dbname=regami', 'new')).toThrow(/not a URL/);
  });
  it('reads the host without the credentials', () => {
    expect(databaseHost('postgresql://app:p@ss@db.example:5432/regami')).toBe('db.example');
    expect(withDatabaseHost('postgresql://app:p@ss@old:5432/regami', 'new')).toBe('postgresql://app:p@ss@new:5432/regami');
    expect(databaseHost('postgresql://app:pw@db.example:5432/regami')).toBe('db.example');
  });
});
