// The benchmark's upstream: a plain node:http server in its own process (so it does not share the
// client's event loop), answering a small JSON body. Prints its port.
import http from 'node:http';

const body = JSON.stringify({ thing: 'camera', rating: 4 });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on port ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
