/** `npm start`: runs the runtime tour with pretty logs. */
import pino from 'pino';
import pretty from 'pino-pretty';
import { runTour } from './tour.js';

const logger = pino({ level: 'info' }, pretty({ colorize: true, sync: true, ignore: 'pid,hostname' }));
await runTour({ logger });
