/**
 * The esbuild plugins of the deployed bundles (infra/esbuild-plugins.cjs) cut code, never
 * behaviour: bundles built with them (the deployed esbuild settings) still run the durable
 * SDK's checkpoint calls and still send the SDK's version in the user agent, and a plugin
 * that cannot prove a cut leaves the import whole (with a warning) instead of breaking it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, stop, type Metafile, type Plugin } from 'esbuild';

const ROOT = join(__dirname, '..');
const plugins = require('./esbuild-plugins.cjs') as Plugin[] & { readsOnlyVersion(source: string, spec: string): string | undefined; lambdaNamesUsedBy(source: string): string[] };

/** The deployed settings (serverless.yml custom.esbuild), plugins included. */
async function bundle(entry: string, outfile: string): Promise<{ metafile: Metafile; warnings: string[] }> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    target: 'node22',
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    nodePaths: [join(ROOT, 'node_modules')],
    plugins,
    metafile: true,
    logLevel: 'silent',
  });
  return { metafile: result.metafile, warnings: result.warnings.map((w) => w.text) };
}

// esbuild's service process would otherwise outlive the test file in its jest worker.
afterAll(() => stop());

const inputsOf = (metafile: Metafile, pattern: RegExp): string[] => Object.keys(metafile.inputs).filter((k) => pattern.test(k));

/** Runs `script` in a fresh Node process (the bundle as Lambda loads it) and returns its stdout. */
function runNode(script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', ...env }, timeout: 30_000 });
}

describe('durable-lambda-commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esbuild-durable-'));

  it('answers the durable SDK with only the Lambda names it uses: its checkpoint calls still reach Lambda', async () => {
    const entry = join(dir, 'entry.mjs');
    writeFileSync(
      entry,
      `import { DurableExecutionApiClient } from '@aws/durable-execution-sdk-js';
export async function run(arn) {
  const client = new DurableExecutionApiClient();
  const state = await client.getExecutionState({ DurableExecutionArn: arn, CheckpointToken: 't1', Marker: 'm1' });
  const checkpoint = await client.checkpoint({ DurableExecutionArn: arn, CheckpointToken: 't1', Updates: [] });
  return { operations: state.Operations, token: checkpoint.CheckpointToken };
}
`,
    );
    const outfile = join(dir, 'entry.js');
    const { metafile, warnings } = await bundle(entry, outfile);
    expect(warnings).toEqual([]);
    // No aggregated client, no command the SDK does not use.
    expect(inputsOf(metafile, /client-lambda\/dist-es\/(index|Lambda)\.js$/)).toEqual([]);
    expect(inputsOf(metafile, /client-lambda\/dist-es\/commands\//).map((f) => f.replace(/.*\//, '')).sort()).toEqual(['CheckpointDurableExecutionCommand.js', 'GetDurableExecutionStateCommand.js']);

    // The bundle's default Lambda client (the SDK's own) against a local endpoint: both calls go out and come back.
    const requests: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on('end', () => {
        requests.push(`${req.method} ${decodeURIComponent((req.url ?? '').split('?')[0]!)}`);
        res.setHeader('content-type', 'application/json');
        res.end(req.url?.includes('/checkpoint') ? '{"CheckpointToken":"t2"}' : '{"Operations":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:wf:live/durable-execution/e/1';
      const port = (server.address() as AddressInfo).port;
      const script = `require(${JSON.stringify(outfile)}).run(${JSON.stringify(arn)}).then((r) => process.stdout.write(JSON.stringify(r)), (e) => process.stdout.write('THREW ' + e.name + ': ' + e.message))`;
      const out = await new Promise<string>((resolve, reject) => {
        // Asynchronous: the local endpoint answers from this process meanwhile.
        const env = { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}` };
        execFile(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000, env }, (err, stdout) => (err ? reject(err) : resolve(stdout))).stdin?.end();
      });
      expect(JSON.parse(out)).toEqual({ operations: [], token: 't2' });
      expect(requests).toEqual([`GET /2025-12-01/durable-executions/${arn}/state`, `POST /2025-12-01/durable-executions/${arn}/checkpoint`]);
    } finally {
      server.close();
    }
  });

  it('leaves the import whole, with a warning, when the SDK names something the client has no file for', async () => {
    const sdk = join(dir, 'node_modules', '@aws', 'durable-execution-sdk-js', 'dist');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'index.mjs'), `export const load = () => import('@aws-sdk/client-lambda').then((module) => new module.LambdaClient({}) && module.NoSuchThingCommand);\n`);
    const entry = join(dir, 'fake-entry.mjs');
    writeFileSync(entry, `export { load } from ${JSON.stringify(join(sdk, 'index.mjs'))};\n`);
    const { metafile, warnings } = await bundle(entry, join(dir, 'fake-entry.js'));
    expect(warnings).toEqual([expect.stringContaining('no client file for NoSuchThingCommand')]);
    expect(inputsOf(metafile, /client-lambda\/dist-es\/Lambda\.js$/)).toHaveLength(1);
  });

  it('counts every Lambda name the source mentions or reads off the loaded module', () => {
    expect(plugins.lambdaNamesUsedBy('const c = new module.LambdaClient(); new module.InvokeCommand(); // see StopDurableExecutionCommand; module.default')).toEqual(['InvokeCommand', 'LambdaClient', 'StopDurableExecutionCommand']);
  });
});

describe('sdk-package-version', () => {
  it('keeps the SDK version in the user agent while the manifests shrink to their version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esbuild-pkg-'));
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, `import { SNSClient } from '@aws-sdk/client-sns';\nexport const userAgent = () => new SNSClient({ region: 'us-east-1' }).config.defaultUserAgentProvider();\n`);
    const outfile = join(dir, 'entry.js');
    const { metafile, warnings } = await bundle(entry, outfile);
    expect(warnings).toEqual([]);
    const manifests = Object.entries(metafile.inputs).filter(([k]) => k.endsWith('/package.json'));
    expect(manifests.length).toBeGreaterThan(0);
    for (const [name, input] of manifests) expect({ name, trimmed: name.startsWith('sdk-package-version:') && input.bytes < 100 }).toEqual({ name, trimmed: true });

    const version = (require('@aws-sdk/client-sns/package.json') as { version: string }).version;
    const out = runNode(`require(${JSON.stringify(outfile)}).userAgent().then((ua) => process.stdout.write(JSON.stringify(ua)))`);
    expect(JSON.parse(out)).toEqual(expect.arrayContaining([['api/SNS', version], ['aws-sdk-js', expect.stringMatching(/^3\./)]]));
  });

  it('trims a manifest only when the importing file reads nothing but its version', () => {
    const spec = '../package.json';
    expect(plugins.readsOnlyVersion(`import packageInfo from "../package.json";\nconst v = packageInfo.version;\nf({ clientVersion: packageInfo.version });`, spec)).toBe('packageInfo');
    expect(plugins.readsOnlyVersion(`import packageInfo from "../package.json";\nf(packageInfo.version, packageInfo.name);`, spec)).toBeUndefined();
    expect(plugins.readsOnlyVersion(`import packageInfo from "../package.json";\nf(packageInfo);`, spec)).toBeUndefined();
    expect(plugins.readsOnlyVersion(`import * as packageInfo from "../package.json";\nf(packageInfo.version);`, spec)).toBeUndefined();
    expect(plugins.readsOnlyVersion(`import packageInfo from "../package.json";`, spec)).toBeUndefined();
  });
});

describe('lambda-environment-credentials', () => {
  it("signs with the execution role's keys from the environment, and the rest of the chain is not in the bundle", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esbuild-creds-'));
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, `import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';\nexport const run = () => new SNSClient({}).send(new ListTopicsCommand({}));\n`);
    const outfile = join(dir, 'entry.js');
    const { metafile, warnings } = await bundle(entry, outfile);
    expect(warnings).toEqual([]);
    // The first link of the chain only: no shared-file, SSO, process, web-identity, HTTP or metadata providers.
    expect(inputsOf(metafile, /credential-provider-(node|ini|sso|process|web-identity|http|login)\//)).toEqual([]);
    expect(inputsOf(metafile, /credential-provider-env\//).length).toBeGreaterThan(0);

    const auth: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on('end', () => {
        auth.push(`${String(req.headers.authorization).replace(/Signature=.*/, 'Signature=…')} token=${String(req.headers['x-amz-security-token'])}`);
        res.setHeader('content-type', 'text/xml');
        res.end('<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics/></ListTopicsResult></ListTopicsResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const script = `require(${JSON.stringify(outfile)}).run().then(() => process.stdout.write('ok'), (e) => process.stdout.write('THREW ' + e.name + ': ' + e.message))`;
      const run = (extra: Record<string, string>) =>
        new Promise<string>((resolve, reject) => {
          const env = { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${port}`, HOME: dir, ...extra };
          execFile(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000, env }, (err, stdout) => (err ? reject(err) : resolve(stdout))).stdin?.end();
        });
      // As Lambda runs it: the role's keys in the environment.
      expect(await run({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEROLEKEY', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'role-session-token' })).toBe('ok');
      expect(auth).toEqual([expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEROLEKEY\/\d{8}\/us-east-1\/sns\/aws4_request, .* token=role-session-token$/)]);
      // Without them nothing else is tried (no shared files, no metadata service): it fails closed, naming the environment.
      expect(await run({})).toMatch(/^THREW CredentialsProviderError: .*environment/i);
      expect(auth).toHaveLength(1);
    } finally {
      server.close();
    }
  });
});
