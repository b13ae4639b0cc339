/** Lambda entry of the status API: the handler built from the function's own environment. */
import { createStatusApiHandler } from './handler';

export const handler = createStatusApiHandler(process.env);
