export * from './address';
export * from './template';
export * from './mime';
export * from './threading';
export * from './classify';
export * from './idempotency';
export * from './compose';
export * from './campaign';
