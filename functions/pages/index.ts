/** Lambda entry of the public pages: the handler built from the function's own environment. */
import { createPagesHandler } from './handler';

export const handler = createPagesHandler(process.env);
