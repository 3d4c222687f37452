/** The fixed answer of the floor servers: the size and shape of a /health answer. */
export const FIXED_BODY = {
  status: 'ok',
  store: { status: 'up', head: 123456 },
  readModels: [
    { projection: 'case', position: 123456, lag: 0, rebuilding: false },
    { projection: 'case-history', position: 123456, lag: 0, rebuilding: false },
  ],
};
