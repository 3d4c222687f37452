export * from './case-view.projection';
export * from './get-case-view';
