export * from './errors.js';
export * from './alerts/types.js';
