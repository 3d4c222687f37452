export * from './case-list.projection';
export * from './list-cases';
