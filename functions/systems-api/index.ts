/** Lambda entry of the systems API: the handler built from the function's own environment. */
import { createSystemsApiHandler } from './handler';

export const handler = createSystemsApiHandler(process.env);
