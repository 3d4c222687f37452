export * from './command-body.dto';
export * from './intake.dto';
export * from './lifecycle.dto';
export * from './command-mappers';
export * from './validate-body';
