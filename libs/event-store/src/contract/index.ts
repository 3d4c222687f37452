// Test-only entry point (`@cases/event-store/contract`): it uses jest globals, so production code never imports it.
export * from './event-store.contract';
export * from './test-kit';
