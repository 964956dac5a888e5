// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { LambdaClient } from '@aws-sdk/client-lambda';
import { registerClient } from '../clients';

registerClient('lambda', LambdaClient);
