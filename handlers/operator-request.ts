/**
 * The operator-request Lambda: the one door for people (`autopilot request ...`, `autopilot
 * approve|reject ...`). Wiring only: what it verifies and does is pipeline/operator-request.ts.
 */
import { StsCallerIdentityVerifier, type CallerIdentityVerifier } from '../adapters/aws/caller-identity';
import { productionRuntime } from '../adapters/runtime/environment';
import { buildOperatorHandler } from '../pipeline/operator-request';

export { buildOperatorHandler };

let verifier: CallerIdentityVerifier | undefined;
export const handler = buildOperatorHandler(productionRuntime, () => ({ verifier: (verifier ??= new StsCallerIdentityVerifier()) }));
