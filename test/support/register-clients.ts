// Tests run adapters in any combination: register every AWS SDK client class once per test file.
import '../../adapters/aws/sdk/all';
