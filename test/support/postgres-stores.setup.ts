// The e2e-postgres jest project (jest.config.js): every TestApp of the suite keeps its event log and
// read models in PostgreSQL.
process.env.TEST_STORES = 'postgres';
