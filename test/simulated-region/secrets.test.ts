/**
 * Secrets Manager and SSM Parameter Store in the simulated region: the rules the DATABASE_URL
 * references depend on (adapters/aws/database-url.ts), through the real clients, with IAM
 * evaluated against the functions' roles (infra/permissions.ts).
 */
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { loadConfig } from '../../config/load';
import { functionPolicies } from '../../infra/iam-policy';
import { evaluate } from './iam';
import { secretArnSuffix } from './services/secretsmanager';
import { simHarness, type SimHarness } from './test-support';

const URL = 'postgresql://regami_app:pw@regami-db-primary.c9akciq32.us-east-1.rds.amazonaws.com:5432/regami';
const EAST_KEY = 'arn:aws:kms:us-east-1:123456789012:key/aaaa1111-0000-4000-8000-000000000001';
const WEST_KEY = 'arn:aws:kms:us-west-2:123456789012:key/bbbb2222-0000-4000-8000-000000000002';
const SUFFIX = secretArnSuffix('regami/db/url');
const EAST_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-${SUFFIX}`;
const WEST_ARN = EAST_ARN.replace('us-east-1', 'us-west-2');

const WORLD = {
  regions: {
    'us-east-1': {
      secretsmanager: { secrets: { 'regami/db/url': { value: URL, kmsKeyId: EAST_KEY, replicas: { 'us-west-2': { kmsKeyId: WEST_KEY } } } } },
      ssm: { parameters: { '/regami/db-url': { value: URL, keyId: EAST_KEY } } },
    },
  },
};

function withCaller(fn?: string): SimHarness {
  const h = simHarness(WORLD);
  if (fn) h.world.setIam({ policies: functionPolicies(loadConfig('dev'), { account: h.world.account, tableName: 'state' }), caller: () => fn });
  return h;
}

describe('simulated Secrets Manager (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html)', () => {
  it('answers GetSecretValue by name, full ARN or ARN without the suffix; an unknown secret or another Region\'s ARN is ResourceNotFoundException', async () => {
    const sm = withCaller().aws.in('us-east-1').secretsManager;
    for (const id of ['regami/db/url', EAST_ARN, 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url']) {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: id }))).resolves.toMatchObject({ ARN: EAST_ARN, Name: 'regami/db/url', SecretString: URL, VersionStages: ['AWSCURRENT'] });
    }
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'regami/none' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: WEST_ARN }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'regami/db/url', VersionStage: 'AWSPREVIOUS' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('replicates: the replica\'s ARN is the primary\'s with its Region, same value, its own key (https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html)', async () => {
    const h = withCaller();
    const west = h.aws.in('us-west-2').secretsManager;
    await expect(west.send(new GetSecretValueCommand({ SecretId: WEST_ARN }))).resolves.toMatchObject({ ARN: WEST_ARN, SecretString: URL });
    await expect(west.send(new DescribeSecretCommand({ SecretId: WEST_ARN }))).resolves.toMatchObject({ KmsKeyId: WEST_KEY, PrimaryRegion: 'us-east-1' });
    await expect(h.aws.in('us-east-1').secretsManager.send(new DescribeSecretCommand({ SecretId: EAST_ARN }))).resolves.toMatchObject({ KmsKeyId: EAST_KEY, ReplicationStatus: [{ Region: 'us-west-2', KmsKeyId: WEST_KEY, Status: 'InSync' }] });
  });

  it('keeps names unique: CreateSecret of an existing name is ResourceExistsException (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html)', async () => {
    const sm = withCaller().aws.in('us-east-1').secretsManager;
    const out = await sm.send(new CreateSecretCommand({ Name: 'regami/db/url/x', SecretString: URL }));
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:regami\/db\/url\/x-[A-Za-z0-9]{6}$/);
    await expect(sm.send(new CreateSecretCommand({ Name: 'regami/db/url/x', SecretString: 'other' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('reads a value only with secretsmanager:GetSecretValue, and kms:Decrypt through Secrets Manager for a customer managed key', async () => {
    // The failover's workflow may read under regami/ in us-west-2 only; its intake nothing.
    const intake = withCaller('databaseFailover');
    await expect(intake.aws.in('us-west-2').secretsManager.send(new GetSecretValueCommand({ SecretId: WEST_ARN }))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('secretsmanager:GetSecretValue') });
    const wf = withCaller('databaseFailoverWorkflow');
    await expect(wf.aws.in('us-west-2').secretsManager.send(new GetSecretValueCommand({ SecretId: WEST_ARN }))).resolves.toMatchObject({ SecretString: URL });
    const decision = wf.world.authorizations.at(-1)!.decisions;
    expect(decision.map((d) => `${d.action} ${d.resource} ${d.allowed}`)).toEqual([`secretsmanager:GetSecretValue ${WEST_ARN} true`, `kms:Decrypt ${WEST_KEY} true`]);
    // The key only through Secrets Manager in us-west-2, and only for secrets under the prefix.
    const policy = functionPolicies(loadConfig('dev'), { account: wf.world.account, tableName: 'state' }).get('databaseFailoverWorkflow')!;
    const decrypt = (context: Record<string, string>) => evaluate(policy, { action: 'kms:Decrypt', resource: WEST_KEY, context }).allowed;
    expect(decrypt({ 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com', 'kms:EncryptionContext:SecretARN': WEST_ARN })).toBe(true);
    expect(decrypt({ 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com', 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:us-west-2:123456789012:secret:billing/key-AbCdEf' })).toBe(false);
    expect(decrypt({ 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': EAST_ARN })).toBe(false);
    expect(decrypt({ 'kms:ViaService': 's3.us-west-2.amazonaws.com', 'kms:EncryptionContext:SecretARN': WEST_ARN })).toBe(false);
    // Never the primary Region's copy: a failover must not depend on it.
    await expect(wf.aws.in('us-east-1').secretsManager.send(new GetSecretValueCommand({ SecretId: EAST_ARN }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('lets a runbook create only its own incident\'s secrets, under a key of the region; tagging needs secretsmanager:TagResource, which no role has', async () => {
    const wf = withCaller('databaseFailoverWorkflow');
    const west = wf.aws.in('us-west-2').secretsManager;
    await expect(west.send(new CreateSecretCommand({ Name: 'regami/db/url/database-failover-x/regami-db-replica', SecretString: URL, KmsKeyId: WEST_KEY }))).resolves.toBeDefined();
    expect(wf.world.authorizations.at(-1)!.decisions.map((d) => `${d.action} ${d.allowed}`)).toEqual(['secretsmanager:CreateSecret true', 'kms:GenerateDataKey true', 'kms:Decrypt true']);
    await expect(west.send(new CreateSecretCommand({ Name: 'regami/db/url/database-failover-y/h', SecretString: URL, Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('secretsmanager:TagResource') });
    await expect(west.send(new CreateSecretCommand({ Name: 'regami/db/url/restore-from-backup-x/h', SecretString: URL }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(west.send(new CreateSecretCommand({ Name: 'regami/db/url-new', SecretString: URL }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('simulated SSM Parameter Store (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html)', () => {
  it('answers GetParameter by name or ARN, decrypting a SecureString only WithDecryption; unknown is ParameterNotFound', async () => {
    const ssm = withCaller().aws.in('us-east-1').ssm;
    await expect(ssm.send(new GetParameterCommand({ Name: '/regami/db-url', WithDecryption: true }))).resolves.toMatchObject({ Parameter: { Name: '/regami/db-url', Type: 'SecureString', Value: URL, ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/regami/db-url' } });
    const opaque = await ssm.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:123456789012:parameter/regami/db-url' }));
    expect(opaque.Parameter?.Value).not.toContain('postgresql');
    await expect(ssm.send(new GetParameterCommand({ Name: '/regami/none' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(withCaller().aws.in('us-west-2').ssm.send(new GetParameterCommand({ Name: '/regami/db-url' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/regami/db-url'] }] }))).resolves.toMatchObject({ Parameters: [{ Name: '/regami/db-url', KeyId: EAST_KEY, Tier: 'Standard' }] });
  });

  it('never overwrites without Overwrite: ParameterAlreadyExists (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html)', async () => {
    const ssm = withCaller().aws.in('us-east-1').ssm;
    await expect(ssm.send(new PutParameterCommand({ Name: '/regami/db-url', Value: 'x', Type: 'SecureString' }))).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await expect(ssm.send(new PutParameterCommand({ Name: 'regami/no-slash', Value: 'x', Type: 'String' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/regami/db-url', Value: 'x', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/regami/db-url/new', Value: URL, Type: 'SecureString' }))).resolves.toMatchObject({ Version: 1 });
  });

  it('authorises the restore\'s own new parameter with ssm:Overwrite false and kms:Encrypt through SSM; never an overwrite', async () => {
    const wf = withCaller('restoreFromBackupWorkflow');
    const ssm = wf.aws.in('us-east-1').ssm;
    const Name = '/regami/db-url/restore-from-backup-x/regami-db-primary-pitr-1';
    await expect(ssm.send(new PutParameterCommand({ Name, Value: URL, Type: 'SecureString', KeyId: EAST_KEY, Overwrite: false }))).resolves.toBeDefined();
    expect(wf.world.authorizations.at(-1)!.decisions.map((d) => `${d.action} ${d.allowed}`)).toEqual(['ssm:PutParameter true', 'kms:Encrypt true']);
    await expect(ssm.send(new PutParameterCommand({ Name, Value: URL, Type: 'SecureString', Overwrite: true }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(ssm.send(new GetParameterCommand({ Name, WithDecryption: true }))).resolves.toMatchObject({ Parameter: { Value: URL } });
  });
});
