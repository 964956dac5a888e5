// A dynalite (local DynamoDB) in its own process for the bench: its request handling then
// does not share the measured process's CPU and event loop, as DynamoDB would not.
// Prints the endpoint on stdout; exits when its parent closes stdin.
const dynalite = require('dynalite');

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
