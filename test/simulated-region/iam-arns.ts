/** The helpers each service's `iam` mappers build their authorisations with (iam-requests.ts evaluates them). */
import type { AuthRequest } from './iam';

export const arnIn = (service: string, region: string, account: string, resource: string): string => `arn:aws:${service}:${region}:${account}:${resource}`;
export const isArn = (s: unknown): s is string => typeof s === 'string' && s.startsWith('arn:');
export const lastSegment = (s: string): string => s.split(/[:/]/).pop() ?? s;
export const authReq = (action: string, resource: string, context?: AuthRequest['context']): AuthRequest => (context ? { action, resource, context } : { action, resource });
