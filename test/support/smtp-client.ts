/** The SMTP client the tests drive the local listener with: local/smtp-client.ts, which `npm run demo` uses too. */
export { sendMail } from '../../local/smtp-client';
