// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { registerClient } from '../clients';

registerClient('secretsManager', SecretsManagerClient);
