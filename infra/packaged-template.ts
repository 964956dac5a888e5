/**
 * Runs `serverless package` the way CI does (no AWS credentials, no telemetry, no stdin)
 * into a fresh directory and returns the compiled CloudFormation template.
 * Used by the template tests; nothing here talks to AWS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CfnTemplate } from './cfn';

export const PROJECT_ROOT = resolve(__dirname, '..');

export interface PackagedService {
  template: CfnTemplate;
  directory: string;
  artifacts: string[];
  durationMs: number;
}

/** The environment CI packages with: AWS credentials and profiles removed, serverless kept offline. */
export function offlineEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    CI: 'true',
  };
}

export function packageService(stage = 'dev', timeoutMs = 240_000): Promise<PackagedService> {
  const directory = mkdtempSync(join(tmpdir(), `autopilot-package-${stage}-`));
  const cli = join(PROJECT_ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const started = Date.now();
  return new Promise((resolvePackage, reject) => {
    const child = execFile(
      process.execPath,
      [cli, 'package', '--stage', stage, '--package', directory],
      { cwd: PROJECT_ROOT, env: offlineEnvironment(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`serverless package failed: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        const template = JSON.parse(readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
        resolvePackage({ template, directory, artifacts: readdirSync(directory).filter((f) => f.endsWith('.zip')), durationMs: Date.now() - started });
      },
    );
    child.stdin?.end(); // CI has no terminal: anything that waits for input must fail, not hang.
  });
}
