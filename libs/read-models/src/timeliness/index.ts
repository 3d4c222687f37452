export * from './timeliness.projection';
export * from './changed-case-facts';
