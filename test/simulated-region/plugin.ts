/**
 * The transport swap: a middleware at the deserialize step (inside the SDK's retry
 * middleware, after serialization and signing) that answers from the SimWorld instead
 * of sending the request. Everything above it (commands, paginators, retries, the
 * observer plugin of adapters/aws/clients.ts) is the production code path.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { Pluggable, RetryStrategyV2 } from '@smithy/types';
import type { ClientSetup } from '../../adapters/aws/clients';
import type { SimWorld } from './world';
import { simDnsResolver } from './services/route53';

/** Clients the simulated region never answers: DynamoDB is real (dynalite). */
const PASS_THROUGH_CLIENTS = new Set(['DynamoDBClient']);

const REGION_IN_HOST = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
  signing_region?: string;
  endpointV2?: { properties?: { authSchemes?: { signingRegion?: string }[] } };
}

function regionOf(hostname: string | undefined, context: MiddlewareContext): string {
  const m = hostname ? REGION_IN_HOST.exec(hostname) : null;
  if (m?.[1]) return m[1];
  // Global endpoints (Route53) sign in us-east-1.
  return context.signing_region ?? context.endpointV2?.properties?.authSchemes?.[0]?.signingRegion ?? 'us-east-1';
}

export function simPlugin(world: SimWorld): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      const attempts = new WeakMap<object, number>();
      stack.add(
        (next, context: MiddlewareContext) => async (args) => {
          const clientName = String(context.clientName ?? '');
          const input = (args.input ?? {}) as object;
          const request = args.request as { hostname?: string } | undefined;
          if (PASS_THROUGH_CLIENTS.has(clientName)) {
            // Answered by dynalite, authorised here: the state table is part of each role too.
            world.authorize({ region: regionOf(request?.hostname, context), service: clientName.replace(/Client$/, ''), operation: String(context.commandName ?? '').replace(/Command$/, ''), input });
            return next(args);
          }
          const attempt = (attempts.get(input) ?? 0) + 1;
          attempts.set(input, attempt);
          const output = await world.handle({
            region: regionOf(request?.hostname, context),
            service: clientName.replace(/Client$/, ''),
            operation: String(context.commandName ?? '').replace(/Command$/, ''),
            attempt,
            input,
          });
          return {
            output: { ...output, $metadata: { httpStatusCode: 200, requestId: world.ids.hex(8) + '-sim' } },
            response: { statusCode: 200, headers: {} },
          };
        },
        { step: 'deserialize', priority: 'high', name: 'simulatedRegion' },
      );
    },
  };
}

/** Retries with tiny real delays: the SDK's retry logic runs, the drill does not wait seconds. */
export function simRetryStrategy(maxAttempts = 5): RetryStrategyV2 {
  return new ConfiguredRetryStrategy(maxAttempts, (attempt) => Math.min(10, attempt * 2));
}

/** A ClientSetup for AwsClients/AwsRegions whose calls all land in `world` (DynamoDB excepted). */
export function simClientSetup(world: SimWorld, extra: Partial<ClientSetup> = {}): ClientSetup {
  return {
    credentials: { accessKeyId: 'AKIASIMULATED000000', secretAccessKey: 'simulated-secret-key' },
    retryStrategy: simRetryStrategy(),
    simulated: true,
    dnsResolver: simDnsResolver(world),
    ...extra,
    plugins: [simPlugin(world), ...(extra.plugins ?? [])],
  };
}
