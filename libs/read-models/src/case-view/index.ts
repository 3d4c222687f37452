export * from './case-view.projection';
export * from './get-case-view';
export * from './changed-case-facts';
