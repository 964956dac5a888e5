/**
 * The runbook handler modules as the drill uses them: the factories the entry modules export
 * besides their production `handler` (handlers/<runbook>.ts: buildHandler;
 * handlers/<runbook>-workflow.ts: buildWorkflow).
 */
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js';
import { RUNBOOKS, type RunbookId } from '../domain/config';
import { RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';
import type { IntakeResult } from '../pipeline/intake';
import type { Runtime } from '../adapters/runtime/runtime-types';

export type IntakeInvoker = (event: unknown, context: Context) => Promise<IntakeResult>;

export interface RunbookModule {
  buildHandler?: (getRuntime: () => Runtime) => IntakeInvoker;
  buildWorkflow?: (getRuntime: () => Runtime) => DurableLambdaHandler;
}

/** Per runbook: its module, or why it could not be loaded. */
export type RunbookModules = Partial<Record<RunbookId, RunbookModule | { loadError: string }>>;

/** The module path of a serverless `handler:` (path/module.export), from the project root. */
function modulePathOf(handler: string): string {
  return handler.slice(0, handler.lastIndexOf('.'));
}

export function loadRunbookModules(): RunbookModules {
  const out: RunbookModules = {};
  for (const id of RUNBOOKS) {
    try {
      // The entry modules serverless deploys (RUNBOOK_FUNCTIONS): the intake's buildHandler and,
      // when the runbook waits, its workflow module's buildWorkflow.
      // require, not import(): resolved by the TypeScript loaders of tsx (CLI) and jest alike.
      const spec = RUNBOOK_FUNCTIONS[id];
      const intake = require(join(__dirname, '..', modulePathOf(spec.intakeHandler))) as RunbookModule;
      const workflow = spec.workflowHandler ? (require(join(__dirname, '..', modulePathOf(spec.workflowHandler))) as RunbookModule) : undefined;
      out[id] = { buildHandler: intake.buildHandler, ...(workflow ? { buildWorkflow: workflow.buildWorkflow } : {}) };
    } catch (err) {
      out[id] = { loadError: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
  }
  return out;
}

/** The intake factory, or the reason the runbook is not runnable in a drill. */
export function intakeFactory(modules: RunbookModules, id: RunbookId): NonNullable<RunbookModule['buildHandler']> | string {
  const m = modules[id];
  if (!m) return `${id} handler module is not loaded`;
  if ('loadError' in m) return `${id} handler module failed to load: ${m.loadError}`;
  return typeof m.buildHandler === 'function' ? m.buildHandler : `${id} handler has no buildHandler export`;
}

export function workflowFactory(modules: RunbookModules, id: RunbookId): NonNullable<RunbookModule['buildWorkflow']> | string {
  const m = modules[id];
  if (!m) return `${id} handler module is not loaded`;
  if ('loadError' in m) return `${id} handler module failed to load: ${m.loadError}`;
  return typeof m.buildWorkflow === 'function' ? m.buildWorkflow : `${id} handler has no buildWorkflow export`;
}
