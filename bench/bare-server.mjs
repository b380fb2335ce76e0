// The cold-start baseline (bench/coldstart.ts): a bare node:http server, spawned the way a function's build is, that
// answers /health/readiness with 200 on the port PORT names. Plain JavaScript, so node runs it as it runs dist/.
import http from 'node:http';

http
  .createServer((req, res) => res.writeHead(req.url === '/health/readiness' ? 200 : 404).end('OK'))
  .listen(Number(process.env.PORT), '127.0.0.1');
