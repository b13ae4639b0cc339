/** Lambda entry of the public pages (confirmation, "this was not me", one-click unsubscribe). */
export { handler } from './handler';
