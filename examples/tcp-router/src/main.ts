/**
 * `npm start`: the tcp-router on 127.0.0.1:7100 (PORT and MAX_CONN override), with pretty logs.
 * Ctrl-C drains the connections and stops.
 */
import pino from 'pino';
import pretty from 'pino-pretty';
import { MSG, startTcpRouter } from './app.js';

const logger = pino({ level: 'info' }, pretty({ colorize: true, sync: true, ignore: 'pid,hostname' }));
const port = Number(process.env['PORT'] ?? 7100);
const maxConnections = Number(process.env['MAX_CONN'] ?? 1000);

const app = await startTcpRouter({ port, maxConnections, logger });
console.log(`tcp-router listening on ${app.url}`);
console.log(
  `message types: ${Object.entries(MSG)
    .map(([name, type]) => `${type}=${name}`)
    .join(', ')}`,
);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void app.server
    .drain({ ratePerSec: 1000, timeoutMs: 5000 })
    .then(({ closed, forced }) => logger.info({ closed, forced }, 'drained'))
    .then(() => app.stop())
    .then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
