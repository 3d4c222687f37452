export * from './shared/actor';
export * from './shared/errors';
export * from './cases/case.types';
export * from './cases/case.events';
export * from './cases/case.commands';
export * from './deadlines/deadline-policy';
export * from './cases/case.state';
