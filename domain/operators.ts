/**
 * Who may ask the autopilot for a restore, a rollback or a scale, and who may approve a
 * human gate: decided on the caller's principal ARN as AWS STS reported it to the
 * operator-request function (handlers/operator-request.ts), never on a name in a request.
 *
 * Pure: no SDK, no environment, no clock.
 */
import type { AutopilotConfig } from './config';

/** An STS-verified caller: the ARN GetCallerIdentity returned for the request's signature. */
export interface VerifiedPrincipal {
  arn: string;
  account: string;
}

export type OperatorRole = 'requester' | 'approver';

export type AccessDecision = { allowed: true; reason: string } | { allowed: false; code: 'NotARequester' | 'NotAnApprover' | 'ForeignAccount' | 'SelfApproval'; reason: string };

/**
 * An entry matches the exact ARN, or every session of one role when it ends in '/*' after
 * 'assumed-role/<role>/'. Nothing else is a pattern: a '*' anywhere else matches literally,
 * so a typo never widens the list.
 */
export function principalMatches(entry: string, arn: string): boolean {
  const roleSessions = /^(arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/)\*$/.exec(entry);
  if (roleSessions) {
    const prefix = roleSessions[1]!;
    const session = arn.slice(prefix.length);
    return arn.startsWith(prefix) && session.length > 0 && !session.includes('/');
  }
  return entry === arn;
}

export function hasRole(config: AutopilotConfig, role: OperatorRole, principal: VerifiedPrincipal): AccessDecision {
  if (!config.accountIds.includes(principal.account)) {
    return { allowed: false, code: 'ForeignAccount', reason: `caller ${principal.arn} is in account ${principal.account}, not one of ours (${config.accountIds.join(', ')})` };
  }
  const list = role === 'requester' ? config.operators.requesters : config.operators.approvers;
  const hit = list.find((entry) => principalMatches(entry, principal.arn));
  if (hit) return { allowed: true, reason: `${principal.arn} is a configured ${role} (${hit})` };
  return {
    allowed: false,
    code: role === 'requester' ? 'NotARequester' : 'NotAnApprover',
    reason:
      list.length === 0
        ? `no ${role}s are configured (config operators.${role}s is empty): nobody may ${role === 'requester' ? 'ask' : 'approve'}`
        : `${principal.arn} is not in operators.${role}s`,
  };
}

/**
 * A restore or a switch needs a second person: the approver is never the requester. The
 * comparison is on the verified ARNs; a role session is one person only when session names
 * are not chosen by the caller (IAM Identity Center, or sts:RoleSessionName = ${aws:username}).
 */
export function secondPerson(requestedBy: string | undefined, approver: string): AccessDecision {
  if (requestedBy !== undefined && requestedBy === approver) {
    return { allowed: false, code: 'SelfApproval', reason: `${approver} requested this and cannot also approve it: a second person must agree` };
  }
  return { allowed: true, reason: requestedBy === undefined ? `approved by ${approver}` : `approved by ${approver}, requested by ${requestedBy}` };
}
