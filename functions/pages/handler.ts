// Placeholder while the pages function is built (issue 8): replaced by the real handler.
export const handler = async () => ({ statusCode: 503, body: '' });
