export * from './hash-chain';
export * from './hash-chained-event-store';
