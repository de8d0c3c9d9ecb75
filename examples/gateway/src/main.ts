/**
 * `npm start`: the gateway on 127.0.0.1 (TCP 7000, HTTP + WebSocket 7001, inspector 7002) with pretty
 * logs. The inspector's kick and discard buttons are on: this is a local development server, bound
 * to 127.0.0.1 and behind the inspector's token (INSPECTOR_COMMANDS=0 turns them off).
 */
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
  inspector: {
    allowCommands: process.env.INSPECTOR_COMMANDS !== '0',
    ...(process.env.INSPECTOR_PORT ? { port: Number(process.env.INSPECTOR_PORT) } : {}),
  },
});
logger.info(`TCP        ${gateway.urls.tcp}`);
logger.info(`WebSocket  ${gateway.urls.ws}`);
logger.info(`Chat page  ${gateway.urls.http}`);
logger.info(`Inspector  ${gateway.urls.inspector}`);
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
