/** `npm start`: the gateway on 127.0.0.1 (TCP 7000, HTTP + WebSocket 7001) with pretty logs. */
import pino from 'pino';
import pretty from 'pino-pretty';
import { startGateway } from './gateway.js';

const logger = pino(
  { level: process.env.LOG_LEVEL ?? 'info' },
  pretty({ colorize: true, sync: true, ignore: 'pid,hostname' }),
);
const gateway = await startGateway({
  logger,
  ...(process.env.TCP_PORT ? { tcpPort: Number(process.env.TCP_PORT) } : {}),
  ...(process.env.HTTP_PORT ? { httpPort: Number(process.env.HTTP_PORT) } : {}),
});
logger.info(`TCP        ${gateway.urls.tcp}`);
logger.info(`WebSocket  ${gateway.urls.ws}`);
logger.info(`Chat page  ${gateway.urls.http}`);
logger.info('Ctrl-C drains the connections and stops.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  logger.info('draining…');
  const result = await gateway.server.drain({ ratePerSec: 1000, timeoutMs: 5000 });
  logger.info(result, 'drained');
  await gateway.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
