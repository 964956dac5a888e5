// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { Route53Client } from '@aws-sdk/client-route-53';
import { registerClient } from '../clients';

registerClient('route53', Route53Client);
