export * from './command-body.dto';
export * from './intake.dto';
export * from './lifecycle.dto';
export * from './command-mappers';
export * from './validate-body';
export * from './list-cases-query.dto';
